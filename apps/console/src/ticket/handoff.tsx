import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { qs } from '../api/client';
import { useTeams, useUsers } from '../api/hooks';
import type { Escalation, LinkedIssue, Page, Role, TicketDetail, TicketLinkedIssue } from '../api/types';
import { useApp } from '../app/context';
import { Select } from '../lib/fields';
import { Dialog, DialogActions } from '../shell/dialog';

/** Bring in (or hand over to) a team, a person or a role, with a reason: `POST /tickets/:id/escalations`. */
export function EscalateDialog({ ticket, onClose }: { ticket: TicketDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { api, toast } = useApp();
  const qc = useQueryClient();
  const teams = useTeams();
  const users = useUsers();
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api.get<Page<Role>>('/api/v1/roles') });
  const [type, setType] = useState<'team' | 'user' | 'role'>('team');
  const [target, setTarget] = useState('');
  const [mode, setMode] = useState<'bring_in' | 'move'>('bring_in');
  const [reason, setReason] = useState('');
  const [ack, setAck] = useState('');
  const send = useMutation({
    mutationFn: () =>
      api.post<Escalation>(`/api/v1/tickets/${ticket.id}/escalations`, {
        target: type === 'role' ? { type, role: target } : { type, id: target },
        mode,
        reason,
        ...(ack ? { ackMinutes: Number(ack) } : {}),
      }),
    onSuccess: (e) => {
      toast({ text: t('escalate.done', { count: e.userIds.length }) });
      void qc.invalidateQueries({ queryKey: ['escalations', ticket.id] });
      void qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
      onClose();
    },
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  const options =
    type === 'team'
      ? (teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))
      : type === 'user'
        ? (users.data ?? []).filter((u) => u.status === 'active').map((u) => ({ value: u.id, label: u.name }))
        : (roles.data?.items ?? []).map((r) => ({ value: r.name, label: r.name }));
  return (
    <Dialog title={t('escalate.title', { number: ticket.number })} onClose={onClose}>
      <form
        className="admin-form plain"
        onSubmit={(e) => {
          e.preventDefault();
          send.mutate();
        }}
        data-testid="escalate-form"
      >
        <h2>{t('escalate.title', { number: ticket.number })}</h2>
        <fieldset>
          <legend>{t('escalate.target')}</legend>
          {(['team', 'user', 'role'] as const).map((k) => (
            <label key={k} className="inline">
              <input
                type="radio"
                name="target-type"
                checked={type === k}
                onChange={() => (setType(k), setTarget(''))}
              />{' '}
              {t(`escalate.${k}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('escalate.who')}
          <Select
            required
            value={target}
            onChange={setTarget}
            empty=""
            options={options}
            data-testid="escalate-target"
          />
        </label>
        <fieldset>
          <legend>{t('escalate.mode')}</legend>
          <label className="inline">
            <input type="radio" name="mode" checked={mode === 'bring_in'} onChange={() => setMode('bring_in')} />{' '}
            {t('escalate.bringIn')}
          </label>
          <label className="inline">
            <input type="radio" name="mode" checked={mode === 'move'} onChange={() => setMode('move')} />{' '}
            {t('escalate.move')}
          </label>
        </fieldset>
        <label>
          {t('escalate.reason')}
          <textarea
            required
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="escalate-reason"
          />
        </label>
        <label>
          {t('escalate.ackMinutes')}
          <input type="number" min={1} value={ack} onChange={(e) => setAck(e.target.value)} />
        </label>
        <DialogActions
          submit={t('escalate.submit')}
          pending={send.isPending}
          onClose={onClose}
          testId="escalate-submit"
        />
      </form>
    </Dialog>
  );
}

/** Links the ticket to a tracked issue (found, or created here), so the customer hears back when it ships. */
export function LinkIssueDialog({ ticket, onClose }: { ticket: TicketDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { api, toast } = useApp();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [form, setForm] = useState({ key: '', title: '', url: '' });
  const found = useQuery({
    queryKey: ['linked-issues', q],
    queryFn: () => api.get<Page<LinkedIssue>>('/api/v1/linked-issues' + qs({ q: q || undefined, limit: 10 })),
  });
  const done = (issue: LinkedIssue) => {
    toast({ text: t('issues.linked', { key: issue.key }) });
    void qc.invalidateQueries({ queryKey: ['ticket-issues', ticket.id] });
    onClose();
  };
  const link = useMutation({
    mutationFn: async (issue: LinkedIssue) => {
      await api.post(`/api/v1/linked-issues/${issue.id}/tickets`, { ticketId: ticket.id });
      return issue;
    },
    onSuccess: done,
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  const create = useMutation({
    mutationFn: async () => {
      const issue = await api.post<LinkedIssue>('/api/v1/linked-issues', {
        key: form.key,
        title: form.title,
        ...(form.url ? { url: form.url } : {}),
      });
      await api.post(`/api/v1/linked-issues/${issue.id}/tickets`, { ticketId: ticket.id });
      return issue;
    },
    onSuccess: done,
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  return (
    <Dialog title={t('issues.title', { number: ticket.number })} onClose={onClose}>
      <h2>{t('issues.title', { number: ticket.number })}</h2>
      <input
        aria-label={t('issues.search')}
        placeholder={t('issues.search')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <ul className="issue-list">
        {(found.data?.items ?? []).map((i) => (
          <li key={i.id}>
            <strong>{i.key}</strong> {i.title}{' '}
            <span className="chip">{t(`issues.status.${i.status}`, { defaultValue: i.status })}</span>{' '}
            <button className="btn small" onClick={() => link.mutate(i)}>
              {t('issues.link')}
            </button>
          </li>
        ))}
        {found.data?.items.length === 0 && <li className="muted">{t('issues.none')}</li>}
      </ul>
      <form
        className="admin-form plain"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h3>{t('issues.createTitle')}</h3>
        <label>
          {t('issues.key')}
          <input required value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} />
        </label>
        <label>
          {t('issues.name')}
          <input required value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label>
          {t('issues.url')}
          <input type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} />
        </label>
        <DialogActions submit={t('issues.create')} pending={create.isPending} onClose={onClose} />
      </form>
    </Dialog>
  );
}

/** The sidebar's escalations and linked issues of the ticket, with Acknowledge for the people brought in. */
export function HandoffPanel({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { api, me, toast } = useApp();
  const qc = useQueryClient();
  const teams = useTeams();
  const escalations = useQuery({
    queryKey: ['escalations', ticket.id],
    queryFn: () => api.get<Page<Escalation>>(`/api/v1/tickets/${ticket.id}/escalations`).then((p) => p.items),
  });
  const issues = useQuery({
    queryKey: ['ticket-issues', ticket.id],
    queryFn: () => api.get<Page<TicketLinkedIssue>>(`/api/v1/tickets/${ticket.id}/linked-issues`).then((p) => p.items),
  });
  const ack = useMutation({
    mutationFn: (id: string) => api.post(`/api/v1/tickets/${ticket.id}/escalations/${id}/acknowledge`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['escalations', ticket.id] });
      void qc.invalidateQueries({ queryKey: ['escalations-mine'] });
      void qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
    },
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
  const targetName = (e: Escalation) =>
    e.target.type === 'team'
      ? (teams.data?.find((x) => x.id === e.target.teamId)?.name ?? t('escalate.team'))
      : e.target.type === 'role'
        ? (e.target.role ?? '')
        : t('escalate.user');
  if (!escalations.data?.length && !issues.data?.length) return null;
  return (
    <section className="side-card" aria-labelledby="handoff-title" data-testid="handoff">
      {!!escalations.data?.length && (
        <>
          <h2 id="handoff-title">{t('escalate.list')}</h2>
          <ul className="history">
            {escalations.data.map((e) => (
              <li key={e.id} data-testid="escalation">
                {t('escalate.by', { target: targetName(e), reason: e.reason })}{' '}
                <span className="chip">{t(`escalate.status.${e.status}`, { defaultValue: e.status })}</span>
                {e.status === 'open' && e.userIds.includes(me.id) && (
                  <button className="btn small" onClick={() => ack.mutate(e.id)} data-testid="escalation-ack">
                    {t('escalate.acknowledge')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {!!issues.data?.length && (
        <>
          <h2>{t('issues.list')}</h2>
          <ul className="history">
            {issues.data.map((i) => (
              <li key={i.id}>
                {i.url ? (
                  <a href={i.url} target="_blank" rel="noreferrer">
                    {i.key}
                  </a>
                ) : (
                  <strong>{i.key}</strong>
                )}{' '}
                {i.title} <span className="chip">{t(`issues.status.${i.status}`, { defaultValue: i.status })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
