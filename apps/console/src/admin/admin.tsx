import { useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useTeams, useUsers } from '../api/hooks';
import {
  PRIORITIES,
  STATUSES,
  type Calendar,
  type DryRunResult,
  type RoutingRule,
  type CannedReply,
  type Channel,
  type MacroActions,
  type RoleList,
  type SlaPolicy,
  type Team,
  type SurveySettings,
  type User,
  type WidgetSettings,
} from '../api/types';
import { useApp } from '../app/context';
import { CheckboxGroup, optionsOf, Select, SelectField, TextField } from '../lib/fields';
import { navigate } from '../lib/router';
import { macroChanges } from '../ticket/macro';
import { ImapFields, imapBody, imapFormOf, ImapStatusCell, NEW_IMAP } from './imap-status';
import { AdminForm, DeleteButton, RowToggle, Section, Table, useForm, useItems, useSaveMutation } from './parts';

const SECTIONS = [
  { id: 'people', label: 'admin.people', perm: 'user.manage' },
  { id: 'teams', label: 'admin.teams', perm: 'team.manage' },
  { id: 'channels', label: 'admin.channels', perm: 'settings.manage' },
  { id: 'sla', label: 'admin.sla', perm: 'settings.manage' },
  { id: 'routing', label: 'admin.routing', perm: 'settings.manage' },
  { id: 'canned', label: 'admin.canned', perm: 'settings.manage' },
  { id: 'surveys', label: 'admin.surveys', perm: 'settings.manage' },
];

/** Admin screens; each section appears only to people who may change it. New sections are one entry above. */
export default function Admin({ section }: { section: string }) {
  const { t } = useTranslation();
  const { me } = useApp();
  const allowed = SECTIONS.filter((s) => me.permissions.includes(s.perm));
  const current = allowed.find((s) => s.id === section) ?? allowed[0];
  return (
    <div className="admin">
      <nav className="rail" aria-label={t('admin.title')}>
        <h2 className="rail-title">{t('admin.title')}</h2>
        <ul>
          {allowed.map((s) => (
            <li key={s.id}>
              <a
                href={`/admin/${s.id}`}
                aria-current={current?.id === s.id ? 'page' : undefined}
                onClick={(e) => (e.preventDefault(), navigate({ name: 'admin', section: s.id }))}
                data-testid={`admin-${s.id}`}
              >
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="admin-main" id="ticket-main">
        {!current ? (
          <p>{t('admin.forbidden')}</p>
        ) : current.id === 'people' ? (
          <People />
        ) : current.id === 'teams' ? (
          <Teams />
        ) : current.id === 'channels' ? (
          <Channels />
        ) : current.id === 'sla' ? (
          <Sla />
        ) : current.id === 'routing' ? (
          <Routing />
        ) : current.id === 'surveys' ? (
          <Surveys />
        ) : (
          <Canned />
        )}
      </main>
    </div>
  );
}

function People() {
  const { t } = useTranslation();
  const { api } = useApp();
  const users = useUsers();
  const teams = useTeams();
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: () => api.get<RoleList>('/api/v1/roles'),
  });
  const person = useForm({ name: '', email: '', password: '', roles: ['agent'], teamIds: [] as string[] });
  const form = person.form;
  const create = useSaveMutation(() => api.post('/api/v1/users', form), [['users']]);
  const update = useSaveMutation(
    (p: { id: string; body: Partial<User> }) => api.patch(`/api/v1/users/${p.id}`, p.body),
    [['users']],
  );
  const role = useForm({ name: '', description: '', permissions: [] as string[] });
  const createRole = useSaveMutation(() => api.post('/api/v1/roles', role.form), [['roles']]);
  const roleOptions = optionsOf(
    (roles.data?.items ?? []).map((r) => r.name),
    (r) => r,
  );
  const teamName = (id: string) => teams.data?.find((x) => x.id === id)?.name ?? id.slice(0, 8);

  return (
    <>
      <Section title={t('admin.people')}>
        <Table headers={[t('admin.name'), t('admin.email'), t('admin.roles'), t('admin.teams'), t('admin.status')]}>
          {(users.data ?? []).map((u) => (
            <tr key={u.id} data-testid="person-row">
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <Select
                  aria-label={`${t('admin.roles')}: ${u.name}`}
                  value={u.roles[0] ?? ''}
                  onChange={(r) => update.mutate({ id: u.id, body: { roles: [r] } })}
                  options={roleOptions}
                />
              </td>
              <td>{u.teamIds.map(teamName).join(', ')}</td>
              <td>
                <button
                  className="btn small"
                  onClick={() =>
                    update.mutate({ id: u.id, body: { status: u.status === 'active' ? 'disabled' : 'active' } })
                  }
                >
                  {u.status === 'active' ? t('admin.disable') : t('admin.enable')}
                </button>{' '}
                <span className="muted small">{u.status === 'active' ? t('admin.active') : t('admin.disabled')}</span>
              </td>
            </tr>
          ))}
        </Table>
        <AdminForm
          title={t('admin.addPerson')}
          pending={create.isPending}
          onSubmit={() => create.mutate(undefined, { onSuccess: person.reset })}
        >
          <TextField required label={t('admin.name')} value={form.name} onChange={person.set('name')} />
          <TextField required type="email" label={t('admin.email')} value={form.email} onChange={person.set('email')} />
          <TextField
            required
            minLength={10}
            type="password"
            autoComplete="new-password"
            label={t('admin.password')}
            value={form.password}
            onChange={person.set('password')}
          />
          <SelectField
            label={t('admin.roles')}
            value={form.roles[0]}
            onChange={(r) => person.set('roles')([r])}
            options={roleOptions}
          />
          <CheckboxGroup
            legend={t('admin.teams')}
            options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            selected={form.teamIds}
            onChange={person.set('teamIds')}
          />
        </AdminForm>
      </Section>
      <Section title={t('admin.rolesTitle')}>
        <Table headers={[t('admin.name'), t('admin.description'), t('admin.permissions')]}>
          {(roles.data?.items ?? []).map((r) => (
            <tr key={r.id}>
              <td>
                {r.name} {r.builtin && <span className="chip">{t('admin.builtin')}</span>}
              </td>
              <td>{r.description}</td>
              <td className="small">{r.permissions.join(', ')}</td>
            </tr>
          ))}
        </Table>
        <AdminForm title={t('admin.addRole')} onSubmit={() => createRole.mutate()}>
          <TextField
            required
            pattern="[a-z][a-z0-9_-]{1,63}"
            label={t('admin.roleName')}
            value={role.form.name}
            onChange={role.set('name')}
          />
          <TextField label={t('admin.description')} value={role.form.description} onChange={role.set('description')} />
          <CheckboxGroup
            legend={t('admin.permissions')}
            options={Object.entries(roles.data?.permissions ?? {}).map(([p, desc]) => ({
              value: p,
              label: p,
              title: desc,
            }))}
            selected={role.form.permissions}
            onChange={role.set('permissions')}
          />
        </AdminForm>
      </Section>
    </>
  );
}

const STRATEGIES: Team['assignment'][] = ['round_robin', 'least_loaded', 'manual'];

function Teams() {
  const { t } = useTranslation();
  const { api } = useApp();
  const teams = useTeams();
  const users = useUsers();
  const { form, set } = useForm({
    name: '',
    assignment: 'round_robin' as Team['assignment'],
    memberIds: [] as string[],
  });
  const create = useSaveMutation(() => api.post('/api/v1/teams', form), [['teams'], ['users']]);
  const update = useSaveMutation(
    (p: { id: string; body: Record<string, unknown> }) => api.patch(`/api/v1/teams/${p.id}`, p.body),
    [['teams'], ['users']],
  );
  const name = (id: string) => users.data?.find((u) => u.id === id)?.name ?? id.slice(0, 8);
  const strategies = optionsOf(STRATEGIES, (s) => t(`admin.${s}`));
  return (
    <Section title={t('admin.teams')}>
      <Table headers={[t('admin.name'), t('admin.strategy'), t('admin.members')]}>
        {(teams.data ?? []).map((x) => (
          <tr key={x.id}>
            <td>{x.name}</td>
            <td>
              <Select
                aria-label={`${t('admin.strategy')}: ${x.name}`}
                value={x.assignment}
                onChange={(assignment) => update.mutate({ id: x.id, body: { assignment } })}
                options={strategies}
              />
            </td>
            <td>{x.members.map((m) => name(m.userId)).join(', ')}</td>
          </tr>
        ))}
      </Table>
      <AdminForm title={t('admin.addTeam')} onSubmit={() => create.mutate()}>
        <TextField required label={t('admin.name')} value={form.name} onChange={set('name')} />
        <SelectField
          label={t('admin.strategy')}
          value={form.assignment}
          onChange={(v) => set('assignment')(v as Team['assignment'])}
          options={strategies}
        />
        <CheckboxGroup
          legend={t('admin.members')}
          options={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          selected={form.memberIds}
          onChange={set('memberIds')}
        />
      </AdminForm>
    </Section>
  );
}

function Channels() {
  const { t } = useTranslation();
  const { api, toast } = useApp();
  // Re-read while shown: the worker reports how IMAP polling goes (a new mailbox connects within half a minute).
  const channels = useItems<Channel>('channels', '/api/v1/channels', 15_000);
  const widget = useQuery({
    queryKey: ['widget-settings'],
    queryFn: () => api.get<WidgetSettings>('/api/v1/widget/settings'),
  });
  const { form, set, reset } = useForm({ address: '', name: '', acknowledge: true });
  const imap = useForm(NEW_IMAP);
  const [editing, setEditing] = useState<Channel | null>(null);
  const edit = useForm(NEW_IMAP);
  const [token, setToken] = useState<string | null>(null);
  const [showSecret, setShowSecret] = useState(false);
  const [greeting, setGreeting] = useState<WidgetSettings['greeting'] | null>(null);
  const create = useSaveMutation(
    () =>
      api.post<Channel & { inboundToken: string }>('/api/v1/channels', {
        type: 'email',
        ...form,
        imap: imapBody(imap.form, form.address),
      }),
    [['channels']],
  );
  const update = useSaveMutation(
    (p: { id: string; body: Record<string, unknown> }) => api.patch(`/api/v1/channels/${p.id}`, p.body),
    [['channels']],
  );
  const saveWidget = useSaveMutation(() => api.patch('/api/v1/widget/settings', { greeting }), [['widget-settings']]);
  const copy = (text: string) =>
    void navigator.clipboard?.writeText(text).then(() => toast({ text: t('admin.copied') }));
  return (
    <>
      <Section title={t('admin.emailChannels')}>
        <Table
          headers={[
            t('admin.address'),
            t('admin.name'),
            t('admin.imapColumn'),
            t('admin.acknowledge'),
            t('admin.enabled'),
          ]}
        >
          {(channels.data ?? []).map((c) => (
            <tr key={c.id} data-testid="channel-row">
              <td>{c.address}</td>
              <td>{c.name}</td>
              <td>
                <ImapStatusCell channel={c} />{' '}
                <button
                  type="button"
                  className="btn small"
                  aria-label={`${t('admin.imap.edit')}: ${c.address}`}
                  onClick={() => {
                    setEditing(c);
                    edit.setForm(imapFormOf(c.imap));
                  }}
                >
                  {t('admin.imap.edit')}
                </button>
              </td>
              {(['acknowledge', 'enabled'] as const).map((k) => (
                <td key={k}>
                  <RowToggle
                    label={`${t(`admin.${k}`)}: ${c.address}`}
                    checked={c[k]}
                    onChange={(checked) => update.mutate({ id: c.id, body: { [k]: checked } })}
                  />
                </td>
              ))}
            </tr>
          ))}
        </Table>
        {editing && (
          <AdminForm
            title={t('admin.imap.editTitle', { address: editing.address })}
            submit={t('admin.save')}
            testId="imap-editor"
            onSubmit={() =>
              update.mutate(
                { id: editing.id, body: { imap: imapBody(edit.form, editing.address) } },
                { onSuccess: () => setEditing(null) },
              )
            }
            footer={
              <button type="button" className="btn small" onClick={() => setEditing(null)}>
                {t('admin.cancel')}
              </button>
            }
          >
            <ImapFields form={edit.form} set={edit.set} address={editing.address} editing={!!editing.imap} />
          </AdminForm>
        )}
        <AdminForm
          title={t('admin.addMailbox')}
          onSubmit={() =>
            create.mutate(undefined, {
              onSuccess: (c) => {
                setToken(c.inboundToken);
                reset();
                imap.reset();
              },
            })
          }
          footer={token && <p className="notice">{t('admin.inboundToken', { token })}</p>}
        >
          <TextField required type="email" label={t('admin.address')} value={form.address} onChange={set('address')} />
          <TextField label={t('admin.name')} value={form.name} onChange={set('name')} />
          <label className="inline">
            <input type="checkbox" checked={form.acknowledge} onChange={(e) => set('acknowledge')(e.target.checked)} />{' '}
            {t('admin.acknowledge')}
          </label>
          <ImapFields form={imap.form} set={imap.set} address={form.address} />
        </AdminForm>
      </Section>
      <Section title={t('admin.widget')}>
        {widget.data && (
          <div className="admin-form">
            <label>
              {t('admin.snippet')}
              <textarea readOnly rows={2} value={widget.data.snippet} data-testid="widget-snippet" />
            </label>
            <button className="btn small" onClick={() => copy(widget.data!.snippet)}>
              {t('admin.copy')}
            </button>
            <label>
              {t('admin.secret')}
              <input
                readOnly
                type={showSecret ? 'text' : 'password'}
                value={widget.data.secret}
                data-testid="widget-secret"
              />
            </label>
            <p className="muted small">{t('admin.secretHelp')}</p>
            <div>
              <button className="btn small" onClick={() => setShowSecret(!showSecret)}>
                {showSecret ? t('admin.hide') : t('admin.show')}
              </button>{' '}
              <button className="btn small" onClick={() => copy(widget.data!.secret)}>
                {t('admin.copy')}
              </button>
            </div>
            {GREETING_LANGS.map(([lang, label]) => (
              <TextField
                key={lang}
                label={t(label)}
                value={(greeting ?? widget.data!.greeting)[lang]}
                onChange={(v) => setGreeting({ ...(greeting ?? widget.data!.greeting), [lang]: v })}
              />
            ))}
            <button
              className="btn primary"
              disabled={greeting === null}
              onClick={() => saveWidget.mutate()}
              data-testid="widget-greeting-save"
            >
              {t('admin.save')}
            </button>
          </div>
        )}
      </Section>
    </>
  );
}

/** The widget greets in the visitor's language: one greeting each. */
const GREETING_LANGS = [
  ['en', 'admin.greetingEn'],
  ['zh-CN', 'admin.greetingZh'],
] as const;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

function Sla() {
  const { t } = useTranslation();
  const { api } = useApp();
  const policies = useItems<SlaPolicy>('sla-policies', '/api/v1/sla-policies');
  const calendars = useItems<Calendar>('calendars', '/api/v1/calendars');
  const { form, setForm, set } = useForm({
    name: '',
    calendarId: '',
    targets: Object.fromEntries(PRIORITIES.map((p) => [p, { first: '', resolution: '' }])) as Record<
      string,
      { first: string; resolution: string }
    >,
  });
  const cal = useForm({
    name: '',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    from: '09:00',
    to: '18:00',
  });
  const create = useSaveMutation(() => {
    const targets: Record<string, Record<string, number>> = {};
    for (const [p, v] of Object.entries(form.targets)) {
      const x: Record<string, number> = {};
      if (v.first) x.firstResponseMinutes = Number(v.first);
      if (v.resolution) x.resolutionMinutes = Number(v.resolution);
      if (Object.keys(x).length) targets[p] = x;
    }
    return api.post('/api/v1/sla-policies', { name: form.name, targets, calendarId: form.calendarId || undefined });
  }, [['sla-policies']]);
  const remove = useSaveMutation((id: string) => api.del(`/api/v1/sla-policies/${id}`), [['sla-policies']]);
  const createCal = useSaveMutation(
    () =>
      api.post('/api/v1/calendars', {
        name: cal.form.name,
        definition: {
          timezone: cal.form.timezone,
          weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, [[cal.form.from, cal.form.to]]])),
        },
      }),
    [['calendars']],
  );
  const calName = (id: string | null) =>
    id ? (calendars.data?.find((c) => c.id === id)?.name ?? id.slice(0, 8)) : t('admin.calendar247');
  return (
    <>
      <Section title={t('admin.policies')}>
        <Table headers={[t('admin.name'), t('admin.targets'), t('admin.calendar'), null]}>
          {(policies.data ?? []).map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td className="small">
                {Object.entries(p.targets)
                  .map(
                    ([prio, x]) =>
                      `${t(`priority.${prio}`)}: ${[x.firstResponseMinutes != null ? `${t('sla.first_response')} ${x.firstResponseMinutes}m` : '', x.resolutionMinutes != null ? `${t('sla.resolution')} ${x.resolutionMinutes}m` : ''].filter(Boolean).join(', ')}`,
                  )
                  .join(' · ')}
              </td>
              <td>{calName(p.calendarId)}</td>
              <td>
                <DeleteButton onClick={() => remove.mutate(p.id)} />
              </td>
            </tr>
          ))}
        </Table>
        <AdminForm title={t('admin.addPolicy')} onSubmit={() => create.mutate()}>
          <TextField required label={t('admin.name')} value={form.name} onChange={set('name')} />
          <table className="table compact">
            <thead>
              <tr>
                <th />
                <th>{t('admin.firstResponse')}</th>
                <th>{t('admin.resolution')}</th>
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((p) => (
                <tr key={p}>
                  <th scope="row">{t(`priority.${p}`)}</th>
                  {(['first', 'resolution'] as const).map((k) => (
                    <td key={k}>
                      <input
                        type="number"
                        min={0}
                        aria-label={`${t(`priority.${p}`)} ${k === 'first' ? t('admin.firstResponse') : t('admin.resolution')}`}
                        value={form.targets[p][k]}
                        onChange={(e) =>
                          setForm({
                            ...form,
                            targets: { ...form.targets, [p]: { ...form.targets[p], [k]: e.target.value } },
                          })
                        }
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <SelectField
            label={t('admin.calendar')}
            value={form.calendarId}
            onChange={set('calendarId')}
            empty={t('admin.calendar247')}
            options={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </AdminForm>
      </Section>
      <Section title={t('admin.calendars')}>
        <ul>
          {(calendars.data ?? []).map((c) => (
            <li key={c.id}>
              {c.name} <span className="muted small">{c.definition.timezone}</span>
            </li>
          ))}
        </ul>
        <AdminForm title={t('admin.addCalendar')} onSubmit={() => createCal.mutate()}>
          <TextField required label={t('admin.name')} value={cal.form.name} onChange={cal.set('name')} />
          <TextField required label={t('admin.timezone')} value={cal.form.timezone} onChange={cal.set('timezone')} />
          <fieldset>
            <legend>{t('admin.hours')}</legend>
            {(['from', 'to'] as const).map((k, i) => (
              <Fragment key={k}>
                {i > 0 && ' '}
                <label className="inline">
                  {t(`admin.${k}`)}{' '}
                  <input type="time" value={cal.form[k]} onChange={(e) => cal.set(k)(e.target.value)} />
                </label>
              </Fragment>
            ))}
          </fieldset>
        </AdminForm>
      </Section>
    </>
  );
}

/** The "nobody" choice of the macro's assignee select (unassigns), apart from "" (leave as is). */
const UNASSIGN = 'none';

function Canned() {
  const { t } = useTranslation();
  const { api } = useApp();
  const teams = useTeams();
  const users = useUsers();
  const replies = useItems<CannedReply>('canned', '/api/v1/canned-replies');
  const { form, set, reset } = useForm({
    shortcut: '',
    title: '',
    body: '',
    status: '',
    priority: '',
    addTags: '',
    teamId: '',
    assigneeId: '',
  });
  const actions = (): MacroActions => {
    const addTags = list(form.addTags);
    return {
      ...(form.status ? { status: form.status as MacroActions['status'] } : {}),
      ...(form.priority ? { priority: form.priority as MacroActions['priority'] } : {}),
      ...(addTags.length ? { addTags } : {}),
      ...(form.teamId ? { teamId: form.teamId } : {}),
      ...(form.assigneeId ? { assigneeId: form.assigneeId === UNASSIGN ? null : form.assigneeId } : {}),
    };
  };
  const create = useSaveMutation(
    () =>
      api.post('/api/v1/canned-replies', {
        shortcut: form.shortcut,
        title: form.title,
        body: form.body,
        actions: actions(),
      }),
    [['canned']],
  );
  const remove = useSaveMutation((id: string) => api.del(`/api/v1/canned-replies/${id}`), [['canned']]);
  const names = { teams: teams.data, users: users.data };
  return (
    <Section title={t('admin.canned')}>
      {replies.data?.length === 0 && <p className="muted">{t('admin.empty')}</p>}
      <ul className="canned-list">
        {(replies.data ?? []).map((c) => (
          <li key={c.id}>
            <strong>/{c.shortcut}</strong> {c.title}
            <p className="muted small">{c.body}</p>
            {macroChanges(c.actions, t, names).length > 0 && (
              <p className="small">
                {macroChanges(c.actions, t, names)
                  .map((x) => x.label)
                  .join(' · ')}
              </p>
            )}
            <DeleteButton onClick={() => remove.mutate(c.id)} />
          </li>
        ))}
      </ul>
      <AdminForm title={t('admin.addCanned')} onSubmit={() => create.mutate(undefined, { onSuccess: reset })}>
        <TextField required label={t('admin.shortcut')} value={form.shortcut} onChange={set('shortcut')} />
        <TextField required label={t('admin.name')} value={form.title} onChange={set('title')} />
        <label>
          {t('admin.body')}
          <textarea required rows={4} value={form.body} onChange={(e) => set('body')(e.target.value)} />
        </label>
        <fieldset>
          <legend>{t('admin.macroActions')}</legend>
          <SelectField
            label={t('admin.macroStatus')}
            value={form.status}
            onChange={set('status')}
            options={optionsOf(STATUSES, (x) => t(`status.${x}`))}
            empty={t('admin.leaveAsIs')}
          />
          <SelectField
            label={t('admin.macroPriority')}
            value={form.priority}
            onChange={set('priority')}
            options={optionsOf(PRIORITIES, (x) => t(`priority.${x}`))}
            empty={t('admin.leaveAsIs')}
          />
          <TextField label={t('admin.macroTags')} value={form.addTags} onChange={set('addTags')} />
          <SelectField
            label={t('admin.macroTeam')}
            value={form.teamId}
            onChange={set('teamId')}
            options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            empty={t('admin.leaveAsIs')}
          />
          <SelectField
            label={t('admin.macroAssignee')}
            value={form.assigneeId}
            onChange={set('assigneeId')}
            options={[
              { value: UNASSIGN, label: t('admin.unassign') },
              ...(users.data ?? []).filter((u) => u.status === 'active').map((u) => ({ value: u.id, label: u.name })),
            ]}
            empty={t('admin.leaveAsIs')}
          />
        </fieldset>
      </AdminForm>
    </Section>
  );
}

const CHANNELS = ['email', 'chat', 'web', 'wechat', 'api'];
const list = (text: string) =>
  text
    .split(/[,，]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Ordered routing rules (first match wins) and the dry run that says which rule would route a ticket, and why. */
function Routing() {
  const { t } = useTranslation();
  const { api, toast } = useApp();
  const teams = useTeams();
  const rules = useItems<RoutingRule>('routing-rules', '/api/v1/routing-rules');
  const { form, set, reset } = useForm({
    name: '',
    keywords: '',
    channels: [] as string[],
    tags: '',
    teamId: '',
    priority: '',
    addTags: '',
  });
  const probe = useForm({ subject: '', body: '', channel: 'email', tags: '' });
  const [result, setResult] = useState<DryRunResult | null>(null);
  const create = useSaveMutation(
    () =>
      api.post('/api/v1/routing-rules', {
        name: form.name,
        conditions: { keywords: list(form.keywords), channels: form.channels, tags: list(form.tags) },
        actions: {
          ...(form.teamId ? { teamId: form.teamId } : {}),
          ...(form.priority ? { priority: form.priority } : {}),
          ...(form.addTags ? { addTags: list(form.addTags) } : {}),
        },
      }),
    [['routing-rules']],
  );
  const update = useSaveMutation(
    (p: { id: string; body: Partial<RoutingRule> }) => api.patch(`/api/v1/routing-rules/${p.id}`, p.body),
    [['routing-rules']],
  );
  const remove = useSaveMutation((id: string) => api.del(`/api/v1/routing-rules/${id}`), [['routing-rules']]);
  const dry = useMutation({
    mutationFn: () =>
      api.post<DryRunResult>('/api/v1/routing-rules/dry-run', {
        subject: probe.form.subject,
        body: probe.form.body,
        channel: probe.form.channel,
        tags: list(probe.form.tags),
      }),
    onSuccess: setResult,
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  const teamName = (id?: string) => (id ? (teams.data?.find((x) => x.id === id)?.name ?? id.slice(0, 8)) : '');
  const channelOptions = optionsOf(CHANNELS, (c) => t(`channel.${c}`));
  const describeWhen = (r: RoutingRule) =>
    [
      r.conditions.keywords?.length
        ? `${t('admin.keywords').split(/[（(]/)[0].trim()}: ${r.conditions.keywords.join(', ')}`
        : '',
      r.conditions.channels?.length ? r.conditions.channels.map((c) => t(`channel.${c}`)).join(' / ') : '',
      r.conditions.tags?.length ? `#${r.conditions.tags.join(' #')}` : '',
    ]
      .filter(Boolean)
      .join(' · ') || t('admin.everyTicket');
  const describeThen = (r: RoutingRule) =>
    [
      r.actions.teamId ? `→ ${teamName(r.actions.teamId)}` : '',
      r.actions.priority ? t(`priority.${r.actions.priority}`) : '',
      r.actions.addTags?.length ? `+#${r.actions.addTags.join(' #')}` : '',
      r.actions.assignTo ? `${r.actions.assignTo.type}: ${r.actions.assignTo.value}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  return (
    <>
      <Section title={t('admin.rules')}>
        <Table
          headers={[t('admin.position'), t('admin.name'), t('admin.when'), t('admin.then'), t('admin.enabled'), null]}
        >
          {(rules.data ?? []).map((r) => (
            <tr key={r.id} data-testid="routing-rule">
              <td>{r.position}</td>
              <td>{r.name}</td>
              <td className="small">{describeWhen(r)}</td>
              <td className="small">{describeThen(r)}</td>
              <td>
                <RowToggle
                  label={`${t('admin.enabled')}: ${r.name}`}
                  checked={r.enabled}
                  onChange={(enabled) => update.mutate({ id: r.id, body: { enabled } })}
                />
              </td>
              <td>
                <DeleteButton onClick={() => remove.mutate(r.id)} />
              </td>
            </tr>
          ))}
        </Table>
        {rules.data?.length === 0 && <p className="muted">{t('admin.empty')}</p>}
        <AdminForm title={t('admin.addRule')} onSubmit={() => create.mutate(undefined, { onSuccess: reset })}>
          <TextField required label={t('admin.name')} value={form.name} onChange={set('name')} />
          <TextField label={t('admin.keywords')} value={form.keywords} onChange={set('keywords')} />
          <CheckboxGroup
            legend={t('admin.channelsCond')}
            options={channelOptions}
            selected={form.channels}
            onChange={set('channels')}
          />
          <TextField label={t('admin.tagsCond')} value={form.tags} onChange={set('tags')} />
          <SelectField
            label={t('admin.thenTeam')}
            value={form.teamId}
            onChange={set('teamId')}
            empty={t('admin.unchanged')}
            options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
          />
          <SelectField
            label={t('admin.thenPriority')}
            value={form.priority}
            onChange={set('priority')}
            empty={t('admin.unchanged')}
            options={optionsOf(PRIORITIES, (p) => t(`priority.${p}`))}
          />
          <TextField label={t('admin.thenTags')} value={form.addTags} onChange={set('addTags')} />
        </AdminForm>
      </Section>
      <Section title={t('admin.dryRun')}>
        <p className="muted">{t('admin.dryRunHelp')}</p>
        <AdminForm submit={t('admin.run')} onSubmit={() => dry.mutate()} testId="dry-run">
          <TextField label={t('admin.subject')} value={probe.form.subject} onChange={probe.set('subject')} />
          <label>
            {t('admin.body')}
            <textarea rows={3} value={probe.form.body} onChange={(e) => probe.set('body')(e.target.value)} />
          </label>
          <SelectField
            label={t('admin.channelsCond')}
            value={probe.form.channel}
            onChange={probe.set('channel')}
            options={channelOptions}
          />
          <TextField label={t('admin.tagsCond')} value={probe.form.tags} onChange={probe.set('tags')} />
        </AdminForm>
        {result && (
          <div className="dry-result" role="status" data-testid="dry-run-result">
            <p>
              <strong>{result.matched ? t('admin.matched', { name: result.matched.name }) : t('admin.noMatch')}</strong>
            </p>
            <ul>
              {result.evaluated.map((r) => (
                <li key={r.id}>
                  {r.matched ? '✓' : '✗'} {r.name}:{' '}
                  <span className="small muted">
                    {r.checks
                      .map((c) => `${c.matched ? '✓' : '✗'} ${c.condition}${c.detail ? ` (${c.detail})` : ''}`)
                      .join('; ')}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </Section>
    </>
  );
}

/** Which questions follow CSAT in the survey (NPS 0–10, CES 1–7); CSAT is always asked. */
function Surveys() {
  const { t } = useTranslation();
  const { api } = useApp();
  const settings = useQuery({
    queryKey: ['survey-settings'],
    queryFn: () => api.get<SurveySettings>('/api/v1/surveys/settings'),
  });
  const [draft, setDraft] = useState<SurveySettings | null>(null);
  const update = useSaveMutation(
    (body: SurveySettings) => api.patch<SurveySettings>('/api/v1/surveys/settings', body),
    [['survey-settings']],
  );
  const current = draft ?? settings.data;
  return (
    <Section title={t('admin.surveys')}>
      <p className="muted">{t('admin.surveysHelp')}</p>
      {settings.isError ? (
        <p role="alert">
          {t('admin.error', { message: (settings.error as Error).message })}{' '}
          <button className="btn small" onClick={() => void settings.refetch()}>
            {t('reports.retry')}
          </button>
        </p>
      ) : current ? (
        <form
          className="admin-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            update.mutate(current, { onSuccess: () => setDraft(null) });
          }}
        >
          <label className="check">
            <input type="checkbox" checked disabled /> {t('admin.surveyCsat')}
          </label>
          {(['nps', 'ces'] as const).map((k) => (
            <label key={k} className="check">
              <input
                type="checkbox"
                checked={current[k]}
                onChange={(e) => setDraft({ ...current, [k]: e.target.checked })}
                data-testid={`survey-${k}-toggle`}
              />{' '}
              {t(k === 'nps' ? 'admin.surveyNps' : 'admin.surveyCes')}
            </label>
          ))}
          <div>
            <button className="btn primary" type="submit" disabled={!draft || update.isPending}>
              {t('admin.save')}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">…</p>
      )}
    </Section>
  );
}
