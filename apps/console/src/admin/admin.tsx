import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useTeams, useUsers } from '../api/hooks';
import {
  PRIORITIES,
  type Calendar,
  type DryRunResult,
  type RoutingRule,
  type CannedReply,
  type Channel,
  type Page,
  type Role,
  type SlaPolicy,
  type Team,
  type SurveySettings,
  type User,
  type WidgetSettings,
} from '../api/types';
import { useApp } from '../app/context';
import { navigate } from '../lib/router';

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

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="admin-section" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function useSave() {
  const { toast } = useApp();
  const { t } = useTranslation();
  const qc = useQueryClient();
  return (keys: string[][]) => ({
    onSuccess: () => {
      keys.forEach((k) => void qc.invalidateQueries({ queryKey: k }));
      toast({ text: t('admin.saved') });
    },
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
}

function People() {
  const { t } = useTranslation();
  const { api } = useApp();
  const users = useUsers();
  const teams = useTeams();
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: () => api.get<Page<Role> & { permissions: Record<string, string> }>('/api/v1/roles'),
  });
  const save = useSave();
  const [form, setForm] = useState({ name: '', email: '', password: '', roles: ['agent'], teamIds: [] as string[] });
  const create = useMutation({ mutationFn: () => api.post('/api/v1/users', form), ...save([['users']]) });
  const update = useMutation({
    mutationFn: (p: { id: string; body: Partial<User> }) => api.patch(`/api/v1/users/${p.id}`, p.body),
    ...save([['users']]),
  });
  const [role, setRole] = useState({ name: '', description: '', permissions: [] as string[] });
  const createRole = useMutation({ mutationFn: () => api.post('/api/v1/roles', role), ...save([['roles']]) });
  const roleNames = (roles.data?.items ?? []).map((r) => r.name);
  const teamName = (id: string) => teams.data?.find((x) => x.id === id)?.name ?? id.slice(0, 8);

  return (
    <>
      <Section title={t('admin.people')}>
        <table className="table">
          <thead>
            <tr>
              <th>{t('admin.name')}</th>
              <th>{t('admin.email')}</th>
              <th>{t('admin.roles')}</th>
              <th>{t('admin.teams')}</th>
              <th>{t('admin.status')}</th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.id} data-testid="person-row">
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`${t('admin.roles')}: ${u.name}`}
                    value={u.roles[0] ?? ''}
                    onChange={(e) => update.mutate({ id: u.id, body: { roles: [e.target.value] } })}
                  >
                    {roleNames.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
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
          </tbody>
        </table>
        <form
          className="admin-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate(undefined, {
              onSuccess: () => setForm({ name: '', email: '', password: '', roles: ['agent'], teamIds: [] }),
            });
          }}
        >
          <h3>{t('admin.addPerson')}</h3>
          <label>
            {t('admin.name')}
            <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            {t('admin.email')}
            <input
              required
              type="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          </label>
          <label>
            {t('admin.password')}
            <input
              required
              minLength={10}
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          </label>
          <label>
            {t('admin.roles')}
            <select value={form.roles[0]} onChange={(e) => setForm({ ...form, roles: [e.target.value] })}>
              {roleNames.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>{t('admin.teams')}</legend>
            {(teams.data ?? []).map((x) => (
              <label key={x.id} className="inline">
                <input
                  type="checkbox"
                  checked={form.teamIds.includes(x.id)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      teamIds: e.target.checked ? [...form.teamIds, x.id] : form.teamIds.filter((i) => i !== x.id),
                    })
                  }
                />{' '}
                {x.name}
              </label>
            ))}
          </fieldset>
          <button className="btn primary" disabled={create.isPending}>
            {t('admin.create')}
          </button>
        </form>
      </Section>
      <Section title={t('admin.rolesTitle')}>
        <table className="table">
          <thead>
            <tr>
              <th>{t('admin.name')}</th>
              <th>{t('admin.description')}</th>
              <th>{t('admin.permissions')}</th>
            </tr>
          </thead>
          <tbody>
            {(roles.data?.items ?? []).map((r) => (
              <tr key={r.id}>
                <td>
                  {r.name} {r.builtin && <span className="chip">{t('admin.builtin')}</span>}
                </td>
                <td>{r.description}</td>
                <td className="small">{r.permissions.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            createRole.mutate();
          }}
        >
          <h3>{t('admin.addRole')}</h3>
          <label>
            {t('admin.roleName')}
            <input
              required
              pattern="[a-z][a-z0-9_-]{1,63}"
              value={role.name}
              onChange={(e) => setRole({ ...role, name: e.target.value })}
            />
          </label>
          <label>
            {t('admin.description')}
            <input value={role.description} onChange={(e) => setRole({ ...role, description: e.target.value })} />
          </label>
          <fieldset>
            <legend>{t('admin.permissions')}</legend>
            {Object.entries(roles.data?.permissions ?? {}).map(([p, desc]) => (
              <label key={p} className="inline" title={desc}>
                <input
                  type="checkbox"
                  checked={role.permissions.includes(p)}
                  onChange={(e) =>
                    setRole({
                      ...role,
                      permissions: e.target.checked
                        ? [...role.permissions, p]
                        : role.permissions.filter((x) => x !== p),
                    })
                  }
                />{' '}
                {p}
              </label>
            ))}
          </fieldset>
          <button className="btn primary">{t('admin.create')}</button>
        </form>
      </Section>
    </>
  );
}

function Teams() {
  const { t } = useTranslation();
  const { api } = useApp();
  const teams = useTeams();
  const users = useUsers();
  const save = useSave();
  const [form, setForm] = useState({
    name: '',
    assignment: 'round_robin' as Team['assignment'],
    memberIds: [] as string[],
  });
  const create = useMutation({ mutationFn: () => api.post('/api/v1/teams', form), ...save([['teams'], ['users']]) });
  const update = useMutation({
    mutationFn: (p: { id: string; body: Record<string, unknown> }) => api.patch(`/api/v1/teams/${p.id}`, p.body),
    ...save([['teams'], ['users']]),
  });
  const name = (id: string) => users.data?.find((u) => u.id === id)?.name ?? id.slice(0, 8);
  const strategies: Team['assignment'][] = ['round_robin', 'least_loaded', 'manual'];
  return (
    <Section title={t('admin.teams')}>
      <table className="table">
        <thead>
          <tr>
            <th>{t('admin.name')}</th>
            <th>{t('admin.strategy')}</th>
            <th>{t('admin.members')}</th>
          </tr>
        </thead>
        <tbody>
          {(teams.data ?? []).map((x) => (
            <tr key={x.id}>
              <td>{x.name}</td>
              <td>
                <select
                  aria-label={`${t('admin.strategy')}: ${x.name}`}
                  value={x.assignment}
                  onChange={(e) => update.mutate({ id: x.id, body: { assignment: e.target.value } })}
                >
                  {strategies.map((s) => (
                    <option key={s} value={s}>
                      {t(`admin.${s}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>{x.members.map((m) => name(m.userId)).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h3>{t('admin.addTeam')}</h3>
        <label>
          {t('admin.name')}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t('admin.strategy')}
          <select
            value={form.assignment}
            onChange={(e) => setForm({ ...form, assignment: e.target.value as Team['assignment'] })}
          >
            {strategies.map((s) => (
              <option key={s} value={s}>
                {t(`admin.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('admin.members')}</legend>
          {(users.data ?? []).map((u) => (
            <label key={u.id} className="inline">
              <input
                type="checkbox"
                checked={form.memberIds.includes(u.id)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    memberIds: e.target.checked ? [...form.memberIds, u.id] : form.memberIds.filter((i) => i !== u.id),
                  })
                }
              />{' '}
              {u.name}
            </label>
          ))}
        </fieldset>
        <button className="btn primary">{t('admin.create')}</button>
      </form>
    </Section>
  );
}

function Channels() {
  const { t } = useTranslation();
  const { api, toast } = useApp();
  const save = useSave();
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Page<Channel>>('/api/v1/channels').then((p) => p.items),
  });
  const widget = useQuery({
    queryKey: ['widget-settings'],
    queryFn: () => api.get<WidgetSettings>('/api/v1/widget/settings'),
  });
  const [form, setForm] = useState({ address: '', name: '', acknowledge: true });
  const [token, setToken] = useState<string | null>(null);
  const [showSecret, setShowSecret] = useState(false);
  const [greeting, setGreeting] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.post<Channel & { inboundToken: string }>('/api/v1/channels', { type: 'email', ...form }),
    ...save([['channels']]),
  });
  const update = useMutation({
    mutationFn: (p: { id: string; body: Record<string, unknown> }) => api.patch(`/api/v1/channels/${p.id}`, p.body),
    ...save([['channels']]),
  });
  const saveWidget = useMutation({
    mutationFn: () => api.patch('/api/v1/widget/settings', { greeting }),
    ...save([['widget-settings']]),
  });
  const copy = (text: string) =>
    void navigator.clipboard?.writeText(text).then(() => toast({ text: t('admin.copied') }));
  return (
    <>
      <Section title={t('admin.emailChannels')}>
        <table className="table">
          <thead>
            <tr>
              <th>{t('admin.address')}</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.acknowledge')}</th>
              <th>{t('admin.enabled')}</th>
            </tr>
          </thead>
          <tbody>
            {(channels.data ?? []).map((c) => (
              <tr key={c.id}>
                <td>{c.address}</td>
                <td>{c.name}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t('admin.acknowledge')}: ${c.address}`}
                    checked={c.acknowledge}
                    onChange={(e) => update.mutate({ id: c.id, body: { acknowledge: e.target.checked } })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t('admin.enabled')}: ${c.address}`}
                    checked={c.enabled}
                    onChange={(e) => update.mutate({ id: c.id, body: { enabled: e.target.checked } })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(undefined, { onSuccess: (c) => setToken(c.inboundToken) });
          }}
        >
          <h3>{t('admin.addMailbox')}</h3>
          <label>
            {t('admin.address')}
            <input
              required
              type="email"
              value={form.address}
              onChange={(e) => setForm({ ...form, address: e.target.value })}
            />
          </label>
          <label>
            {t('admin.name')}
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label className="inline">
            <input
              type="checkbox"
              checked={form.acknowledge}
              onChange={(e) => setForm({ ...form, acknowledge: e.target.checked })}
            />{' '}
            {t('admin.acknowledge')}
          </label>
          <button className="btn primary">{t('admin.create')}</button>
          {token && <p className="notice">{t('admin.inboundToken', { token })}</p>}
        </form>
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
            <label>
              {t('admin.greeting')}
              <input value={greeting ?? widget.data.greeting ?? ''} onChange={(e) => setGreeting(e.target.value)} />
            </label>
            <button className="btn primary" disabled={greeting === null} onClick={() => saveWidget.mutate()}>
              {t('admin.save')}
            </button>
          </div>
        )}
      </Section>
    </>
  );
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

function Sla() {
  const { t } = useTranslation();
  const { api } = useApp();
  const save = useSave();
  const policies = useQuery({
    queryKey: ['sla-policies'],
    queryFn: () => api.get<Page<SlaPolicy>>('/api/v1/sla-policies').then((p) => p.items),
  });
  const calendars = useQuery({
    queryKey: ['calendars'],
    queryFn: () => api.get<Page<Calendar>>('/api/v1/calendars').then((p) => p.items),
  });
  const [form, setForm] = useState({
    name: '',
    calendarId: '',
    targets: Object.fromEntries(PRIORITIES.map((p) => [p, { first: '', resolution: '' }])) as Record<
      string,
      { first: string; resolution: string }
    >,
  });
  const [cal, setCal] = useState({
    name: '',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    from: '09:00',
    to: '18:00',
  });
  const create = useMutation({
    mutationFn: () => {
      const targets: Record<string, Record<string, number>> = {};
      for (const [p, v] of Object.entries(form.targets)) {
        const x: Record<string, number> = {};
        if (v.first) x.firstResponseMinutes = Number(v.first);
        if (v.resolution) x.resolutionMinutes = Number(v.resolution);
        if (Object.keys(x).length) targets[p] = x;
      }
      return api.post('/api/v1/sla-policies', { name: form.name, targets, calendarId: form.calendarId || undefined });
    },
    ...save([['sla-policies']]),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/v1/sla-policies/${id}`),
    ...save([['sla-policies']]),
  });
  const createCal = useMutation({
    mutationFn: () =>
      api.post('/api/v1/calendars', {
        name: cal.name,
        definition: {
          timezone: cal.timezone,
          weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, [[cal.from, cal.to]]])),
        },
      }),
    ...save([['calendars']]),
  });
  const calName = (id: string | null) =>
    id ? (calendars.data?.find((c) => c.id === id)?.name ?? id.slice(0, 8)) : t('admin.calendar247');
  return (
    <>
      <Section title={t('admin.policies')}>
        <table className="table">
          <thead>
            <tr>
              <th>{t('admin.name')}</th>
              <th>{t('admin.targets')}</th>
              <th>{t('admin.calendar')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
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
                  <button className="btn small" onClick={() => remove.mutate(p.id)}>
                    {t('admin.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h3>{t('admin.addPolicy')}</h3>
          <label>
            {t('admin.name')}
            <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
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
          <label>
            {t('admin.calendar')}
            <select value={form.calendarId} onChange={(e) => setForm({ ...form, calendarId: e.target.value })}>
              <option value="">{t('admin.calendar247')}</option>
              {(calendars.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <button className="btn primary">{t('admin.create')}</button>
        </form>
      </Section>
      <Section title={t('admin.calendars')}>
        <ul>
          {(calendars.data ?? []).map((c) => (
            <li key={c.id}>
              {c.name} <span className="muted small">{c.definition.timezone}</span>
            </li>
          ))}
        </ul>
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            createCal.mutate();
          }}
        >
          <h3>{t('admin.addCalendar')}</h3>
          <label>
            {t('admin.name')}
            <input required value={cal.name} onChange={(e) => setCal({ ...cal, name: e.target.value })} />
          </label>
          <label>
            {t('admin.timezone')}
            <input required value={cal.timezone} onChange={(e) => setCal({ ...cal, timezone: e.target.value })} />
          </label>
          <fieldset>
            <legend>{t('admin.hours')}</legend>
            <label className="inline">
              {t('admin.from')}{' '}
              <input type="time" value={cal.from} onChange={(e) => setCal({ ...cal, from: e.target.value })} />
            </label>{' '}
            <label className="inline">
              {t('admin.to')}{' '}
              <input type="time" value={cal.to} onChange={(e) => setCal({ ...cal, to: e.target.value })} />
            </label>
          </fieldset>
          <button className="btn primary">{t('admin.create')}</button>
        </form>
      </Section>
    </>
  );
}

function Canned() {
  const { t } = useTranslation();
  const { api } = useApp();
  const save = useSave();
  const list = useQuery({
    queryKey: ['canned'],
    queryFn: () => api.get<Page<CannedReply>>('/api/v1/canned-replies').then((p) => p.items),
  });
  const [form, setForm] = useState({ shortcut: '', title: '', body: '' });
  const create = useMutation({ mutationFn: () => api.post('/api/v1/canned-replies', form), ...save([['canned']]) });
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/v1/canned-replies/${id}`),
    ...save([['canned']]),
  });
  return (
    <Section title={t('admin.canned')}>
      {list.data?.length === 0 && <p className="muted">{t('admin.empty')}</p>}
      <ul className="canned-list">
        {(list.data ?? []).map((c) => (
          <li key={c.id}>
            <strong>/{c.shortcut}</strong> {c.title}
            <p className="muted small">{c.body}</p>
            <button className="btn small" onClick={() => remove.mutate(c.id)}>
              {t('admin.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(undefined, { onSuccess: () => setForm({ shortcut: '', title: '', body: '' }) });
        }}
      >
        <h3>{t('admin.addCanned')}</h3>
        <label>
          {t('admin.shortcut')}
          <input required value={form.shortcut} onChange={(e) => setForm({ ...form, shortcut: e.target.value })} />
        </label>
        <label>
          {t('admin.name')}
          <input required value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label>
          {t('admin.body')}
          <textarea required rows={4} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} />
        </label>
        <button className="btn primary">{t('admin.create')}</button>
      </form>
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
  const save = useSave();
  const teams = useTeams();
  const rules = useQuery({
    queryKey: ['routing-rules'],
    queryFn: () => api.get<Page<RoutingRule>>('/api/v1/routing-rules').then((p) => p.items),
  });
  const [form, setForm] = useState({
    name: '',
    keywords: '',
    channels: [] as string[],
    tags: '',
    teamId: '',
    priority: '',
    addTags: '',
  });
  const [probe, setProbe] = useState({ subject: '', body: '', channel: 'email', tags: '' });
  const [result, setResult] = useState<DryRunResult | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api.post('/api/v1/routing-rules', {
        name: form.name,
        conditions: { keywords: list(form.keywords), channels: form.channels, tags: list(form.tags) },
        actions: {
          ...(form.teamId ? { teamId: form.teamId } : {}),
          ...(form.priority ? { priority: form.priority } : {}),
          ...(form.addTags ? { addTags: list(form.addTags) } : {}),
        },
      }),
    ...save([['routing-rules']]),
  });
  const update = useMutation({
    mutationFn: (p: { id: string; body: Partial<RoutingRule> }) => api.patch(`/api/v1/routing-rules/${p.id}`, p.body),
    ...save([['routing-rules']]),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/v1/routing-rules/${id}`),
    ...save([['routing-rules']]),
  });
  const dry = useMutation({
    mutationFn: () =>
      api.post<DryRunResult>('/api/v1/routing-rules/dry-run', {
        subject: probe.subject,
        body: probe.body,
        channel: probe.channel,
        tags: list(probe.tags),
      }),
    onSuccess: setResult,
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  const teamName = (id?: string) => (id ? (teams.data?.find((x) => x.id === id)?.name ?? id.slice(0, 8)) : '');
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
        <table className="table">
          <thead>
            <tr>
              <th>{t('admin.position')}</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.when')}</th>
              <th>{t('admin.then')}</th>
              <th>{t('admin.enabled')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(rules.data ?? []).map((r) => (
              <tr key={r.id} data-testid="routing-rule">
                <td>{r.position}</td>
                <td>{r.name}</td>
                <td className="small">{describeWhen(r)}</td>
                <td className="small">{describeThen(r)}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t('admin.enabled')}: ${r.name}`}
                    checked={r.enabled}
                    onChange={(e) => update.mutate({ id: r.id, body: { enabled: e.target.checked } })}
                  />
                </td>
                <td>
                  <button className="btn small" onClick={() => remove.mutate(r.id)}>
                    {t('admin.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rules.data?.length === 0 && <p className="muted">{t('admin.empty')}</p>}
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(undefined, {
              onSuccess: () =>
                setForm({ name: '', keywords: '', channels: [], tags: '', teamId: '', priority: '', addTags: '' }),
            });
          }}
        >
          <h3>{t('admin.addRule')}</h3>
          <label>
            {t('admin.name')}
            <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            {t('admin.keywords')}
            <input value={form.keywords} onChange={(e) => setForm({ ...form, keywords: e.target.value })} />
          </label>
          <fieldset>
            <legend>{t('admin.channelsCond')}</legend>
            {CHANNELS.map((c) => (
              <label key={c} className="inline">
                <input
                  type="checkbox"
                  checked={form.channels.includes(c)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      channels: e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c),
                    })
                  }
                />{' '}
                {t(`channel.${c}`)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('admin.tagsCond')}
            <input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />
          </label>
          <label>
            {t('admin.thenTeam')}
            <select value={form.teamId} onChange={(e) => setForm({ ...form, teamId: e.target.value })}>
              <option value="">{t('admin.unchanged')}</option>
              {(teams.data ?? []).map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.thenPriority')}
            <select value={form.priority} onChange={(e) => setForm({ ...form, priority: e.target.value })}>
              <option value="">{t('admin.unchanged')}</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`priority.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.thenTags')}
            <input value={form.addTags} onChange={(e) => setForm({ ...form, addTags: e.target.value })} />
          </label>
          <button className="btn primary">{t('admin.create')}</button>
        </form>
      </Section>
      <Section title={t('admin.dryRun')}>
        <p className="muted">{t('admin.dryRunHelp')}</p>
        <form
          className="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            dry.mutate();
          }}
          data-testid="dry-run"
        >
          <label>
            {t('admin.subject')}
            <input value={probe.subject} onChange={(e) => setProbe({ ...probe, subject: e.target.value })} />
          </label>
          <label>
            {t('admin.body')}
            <textarea rows={3} value={probe.body} onChange={(e) => setProbe({ ...probe, body: e.target.value })} />
          </label>
          <label>
            {t('admin.channelsCond')}
            <select value={probe.channel} onChange={(e) => setProbe({ ...probe, channel: e.target.value })}>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.tagsCond')}
            <input value={probe.tags} onChange={(e) => setProbe({ ...probe, tags: e.target.value })} />
          </label>
          <button className="btn primary">{t('admin.run')}</button>
        </form>
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
  const save = useSave();
  const settings = useQuery({
    queryKey: ['survey-settings'],
    queryFn: () => api.get<SurveySettings>('/api/v1/surveys/settings'),
  });
  const [draft, setDraft] = useState<SurveySettings | null>(null);
  const update = useMutation({
    mutationFn: (body: SurveySettings) => api.patch<SurveySettings>('/api/v1/surveys/settings', body),
    ...save([['survey-settings']]),
  });
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
          <label className="check">
            <input
              type="checkbox"
              checked={current.nps}
              onChange={(e) => setDraft({ ...current, nps: e.target.checked })}
              data-testid="survey-nps-toggle"
            />{' '}
            {t('admin.surveyNps')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={current.ces}
              onChange={(e) => setDraft({ ...current, ces: e.target.checked })}
              data-testid="survey-ces-toggle"
            />{' '}
            {t('admin.surveyCes')}
          </label>
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
