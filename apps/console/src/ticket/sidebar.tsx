import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { qs } from '../api/client';
import { useTeams, useUsers } from '../api/hooks';
import { PRIORITIES, STATUSES, type Page, type Ticket, type TicketDetail } from '../api/types';
import { useApp } from '../app/context';
import { optionsOf, Select, type Option } from '../lib/fields';
import { relativeTime } from '../lib/format';
import { navigate } from '../lib/router';
import { HandoffPanel } from './handoff';
import { SurveyPanel } from './survey-panel';

export type FieldPatch = Partial<Pick<Ticket, 'status' | 'priority' | 'assigneeId' | 'teamId' | 'tags'>>;

/** The right panel: the customer, their other tickets, and the ticket's fields. */
export function Sidebar({
  ticket,
  viewId,
  onPatch,
}: {
  ticket: TicketDetail;
  viewId: string;
  onPatch: (p: FieldPatch, label: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { api, me } = useApp();
  const users = useUsers();
  const teams = useTeams();
  const [tag, setTag] = useState('');
  const canUpdate = me.permissions.includes('ticket.update');
  const others = useQuery({
    queryKey: ['customer-tickets', ticket.requester.id],
    queryFn: () => api.get<Page<Ticket>>('/api/v1/tickets' + qs({ requesterId: ticket.requester.id, limit: 10 })),
    enabled: me.permissions.includes('customer.read'),
  });
  const history = (others.data?.items ?? []).filter((x) => x.id !== ticket.id);

  return (
    <div className="sidebar" data-testid="sidebar">
      <section aria-labelledby="customer-title" className="side-card">
        <h2 id="customer-title">{t('customer.title')}</h2>
        <p className="customer-name">{ticket.requester.name ?? ticket.requester.email ?? t('list.visitor')}</p>
        {ticket.requester.email && <p className="muted small">{ticket.requester.email}</p>}
        <p className="muted small">
          {t('customer.channel', { channel: t(`channel.${ticket.channel}`, { defaultValue: ticket.channel }) })}
        </p>
        <h3>{t('customer.otherTickets')}</h3>
        {history.length ? (
          <ul className="history">
            {history.map((h) => (
              <li key={h.id}>
                <a
                  href={`/inbox/${viewId}/${h.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ name: 'inbox', view: viewId, ticketId: h.id });
                  }}
                >
                  #{h.number} {h.subject}
                </a>
                <span className="muted small">
                  {' '}
                  · {t(`status.${h.status}`)} · {relativeTime(h.createdAt, i18n.language)}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">{t('customer.noOther')}</p>
        )}
      </section>
      <HandoffPanel ticket={ticket} />
      <SurveyPanel ticketId={ticket.id} />
      <section aria-labelledby="fields-title" className="side-card">
        <h2 id="fields-title">{t('fields.title')}</h2>
        <SideField
          label={t('fields.status')}
          value={ticket.status}
          disabled={!canUpdate}
          onChange={(v) => onPatch({ status: v as Ticket['status'] }, t('fields.status'))}
          options={optionsOf(STATUSES, (s) => t(`status.${s}`))}
          testId="field-status"
        />
        <SideField
          label={t('fields.priority')}
          value={ticket.priority}
          disabled={!canUpdate}
          onChange={(v) => onPatch({ priority: v as Ticket['priority'] }, t('fields.priority'))}
          options={optionsOf(PRIORITIES, (p) => t(`priority.${p}`))}
          testId="field-priority"
        />
        <SideField
          label={t('fields.assignee')}
          value={ticket.assigneeId ?? ''}
          disabled={!canUpdate}
          onChange={(v) => onPatch({ assigneeId: v || null }, t('fields.assignee'))}
          empty={t('fields.none')}
          options={(users.data ?? [])
            .filter((u) => u.status === 'active' || u.id === ticket.assigneeId)
            .map((u) => ({ value: u.id, label: u.name }))}
          testId="field-assignee"
        />
        {canUpdate && ticket.assigneeId !== me.id && (
          <button className="btn small" onClick={() => onPatch({ assigneeId: me.id }, t('fields.assignee'))}>
            {t('fields.assignMe')}
          </button>
        )}
        <SideField
          label={t('fields.team')}
          value={ticket.teamId ?? ''}
          disabled={!canUpdate}
          onChange={(v) => onPatch({ teamId: v || null }, t('fields.team'))}
          empty={t('fields.none')}
          options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
          testId="field-team"
        />
        <div className="field">
          <span id="tags-label">{t('fields.tags')}</span>
          <ul className="tags" aria-labelledby="tags-label">
            {ticket.tags.map((x) => (
              <li key={x} className="tag">
                {x}
                {canUpdate && (
                  <button
                    className="icon-btn"
                    aria-label={t('fields.removeTag', { tag: x })}
                    onClick={() => onPatch({ tags: ticket.tags.filter((y) => y !== x) }, t('fields.tags'))}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
          {canUpdate && (
            <input
              aria-label={t('fields.addTag')}
              placeholder={t('fields.addTag')}
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter' || e.nativeEvent.isComposing || e.keyCode === 229) return;
                e.preventDefault();
                const v = tag.trim();
                if (v && !ticket.tags.includes(v)) onPatch({ tags: [...ticket.tags, v] }, t('fields.tags'));
                setTag('');
              }}
            />
          )}
        </div>
      </section>
    </div>
  );
}

/** One of the ticket's fields: a labelled select, off for people who may not change the ticket. */
function SideField({
  label,
  testId,
  ...select
}: {
  label: string;
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
  options: Option[];
  empty?: string;
  testId: string;
}) {
  return (
    <label className="field">
      {label}
      <Select {...select} data-testid={testId} />
    </label>
  );
}
