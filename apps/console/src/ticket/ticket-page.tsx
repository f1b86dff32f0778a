import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TypingPayload, ViewerPayload } from '@crewdesk/realtime-client';
import { ApiError } from '../api/client';
import { useNow } from '../api/hooks';
import type { Message, NewMessage, Page, Ticket, TicketChanges, TicketDetail } from '../api/types';
import { useApp, useCommands, useLiveEvent } from '../app/context';
import { goNextTicket } from '../inbox/nav';
import { markSeen } from '../inbox/seen';
import { appendMessage, messageFromEvent } from '../live/merge';
import { joinNames } from '../lib/format';
import { Avatar } from '../shell/avatar';
import { ticketActions } from './actions';
import { EscalateDialog, LinkIssueDialog } from './handoff';
import { Composer, type ComposerHandle, type SendInput } from './composer';
import { SlaBadge } from './sla-badge';
import { Sidebar, type FieldPatch } from './sidebar';
import { Thread } from './thread';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TYPING_TTL_MS = 6000;

interface Typist {
  name: string | null;
  mode: string;
  at: number;
}

/** The thread with the composer, the collision avatars and SLA countdowns; the sidebar on the right. */
export function TicketPage({ ticketId, viewId, sideOpen }: { ticketId: string; viewId: string; sideOpen: boolean }) {
  const { t, i18n } = useTranslation();
  const { api, me, live, toast } = useApp();
  const qc = useQueryClient();
  const key = ['ticket', ticketId];
  useNow(15_000); // re-render for the countdowns
  const now = Date.now();
  const composer = useRef<ComposerHandle>(null);
  const [viewers, setViewers] = useState<ViewerPayload[]>([]);
  const [typists, setTypists] = useState<Record<string, Typist>>({});
  const [changed, setChanged] = useState(false);
  const [readUpTo, setReadUpTo] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'escalate' | 'link-issue' | null>(null);
  const inflight = useRef(0);
  const readSent = useRef<string | null>(null);

  const q = useQuery({
    queryKey: key,
    queryFn: async () => {
      const d = await api.get<TicketDetail>(`/api/v1/tickets/${ticketId}`);
      if (!d.messagesNextCursor) return { ...d, messagesNextCursor: null };
      // A long conversation opens at its end: the newest 50, and earlier ones on scroll-up
      // (`messagesNextCursor` then points further back).
      const latest = await api.get<Page<Message>>(`/api/v1/tickets/${ticketId}/messages?order=desc&limit=50`);
      const page = [...latest.items].reverse();
      // A refetch keeps the earlier pages already loaded, so the thread does not shrink under the reader.
      const prev = qc.getQueryData<TicketDetail>(key);
      const overlap = page.length && prev ? prev.messages.findIndex((m) => m.id === page[0].id) : -1;
      if (prev && overlap > 0)
        return {
          ...d,
          messages: [...prev.messages.slice(0, overlap), ...page],
          messagesNextCursor: prev.messagesNextCursor,
        };
      return { ...d, messages: page, messagesNextCursor: latest.nextCursor };
    },
    staleTime: 10_000,
  });
  const ticket = q.data;

  /** Prepends the previous page of an opened-at-its-end conversation, skipping messages already shown. */
  const loadEarlier = useCallback(async () => {
    const cursor = qc.getQueryData<TicketDetail>(['ticket', ticketId])?.messagesNextCursor;
    if (!cursor) return;
    const older = await api.get<Page<Message>>(
      `/api/v1/tickets/${ticketId}/messages?order=desc&limit=50&cursor=${encodeURIComponent(cursor)}`,
    );
    qc.setQueryData<TicketDetail>(['ticket', ticketId], (c) =>
      c
        ? {
            ...c,
            messages: [
              ...[...older.items].reverse().filter((m) => !c.messages.some((x) => x.id === m.id)),
              ...c.messages,
            ],
            messagesNextCursor: older.nextCursor,
          }
        : c,
    );
  }, [api, qc, ticketId]);

  useEffect(() => {
    setChanged(false);
    setTypists({});
    setReadUpTo(null);
  }, [ticketId]);

  useEffect(() => {
    if (ticket) markSeen(ticket.id, ticket.lastMessageAt);
  }, [ticket?.id, ticket?.lastMessageAt]);

  // Collision: join the ticket's room, learn who else is here; again after every reconnect.
  useEffect(() => {
    if (!live) return;
    let alive = true;
    const join = () =>
      void live.view(ticketId).then((r) => {
        if (alive && r) setViewers(r.viewers);
      });
    join();
    const offState = live.onState((s) => s === 'reconnected' && join());
    const offViewing = live.onViewing((p) => p.ticketId === ticketId && setViewers(p.viewers));
    const offTyping = live.onTyping((p: TypingPayload) => {
      if (p.ticketId !== ticketId || (p.userId && p.userId === me.id)) return;
      const k = p.userId ?? 'customer';
      setTypists((all) => {
        const next = { ...all };
        if (p.typing) next[k] = { name: p.name, mode: p.mode, at: Date.now() };
        else delete next[k];
        return next;
      });
    });
    const offResync = live.onResync(() => void qc.invalidateQueries({ queryKey: ['ticket', ticketId] }));
    return () => {
      alive = false;
      offState();
      offViewing();
      offTyping();
      offResync();
      live.leave(ticketId);
      setViewers([]);
    };
  }, [live, ticketId, me.id, qc]);

  // Typing expires without a refresh (the customer's widget and other consoles send every few seconds).
  useEffect(() => {
    const id = setInterval(
      () =>
        setTypists((all) => {
          const alive = Object.entries(all).filter(([, v]) => Date.now() - v.at < TYPING_TTL_MS);
          return alive.length === Object.keys(all).length ? all : Object.fromEntries(alive);
        }),
      1000,
    );
    return () => clearInterval(id);
  }, []);

  useLiveEvent((e) => {
    if (e.ticketId !== ticketId) return;
    const d = e.data as any;
    if (e.type === 'message.created' && d?.message) {
      const msg = messageFromEvent({ ...d.message, channel: d.channel }, e.createdAt);
      qc.setQueryData<TicketDetail>(key, (cur) => (cur ? appendMessage(cur, msg) : cur));
      if (msg.author.type === 'customer') setTypists(({ customer: _c, ...rest }) => rest);
      // Attachment names and the ticket's new status and version come with a refetch.
      if (msg.attachments.length || msg.author.id !== me.id) void qc.invalidateQueries({ queryKey: key });
    } else if (['ticket.updated', 'ticket.assigned', 'ticket.routed', 'ticket.reassigned'].includes(e.type)) {
      const cur = qc.getQueryData<TicketDetail>(key);
      if (!cur || (typeof d?.version === 'number' && d.version <= cur.version)) return;
      if (inflight.current > 0) return; // our own change: its response brings the new version
      setChanged(true);
    } else if (
      e.type === 'sla.warning' ||
      e.type === 'sla.breached' ||
      /^(ticket\.escalated|escalation\.)/.test(e.type)
    ) {
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: ['escalations', ticketId] });
    } else if (e.type === 'message.read' && d?.by === 'customer') {
      setReadUpTo(d.messageId);
    }
  });

  // Read marks for the customer: the agent has seen their latest message.
  useEffect(() => {
    if (!ticket || !live) return;
    const last = [...ticket.messages].reverse().find((m) => m.author.type === 'customer');
    if (last && readSent.current !== last.id && document.visibilityState === 'visible') {
      readSent.current = last.id;
      live.read(ticket.id, last.id);
    }
  }, [ticket?.messages.length, live]);

  const patch = useCallback(
    async (p: FieldPatch, label: string, undo = true): Promise<boolean> => {
      const cur = qc.getQueryData<TicketDetail>(key);
      if (!cur) return false;
      const before: FieldPatch = {};
      for (const k of Object.keys(p) as Array<keyof FieldPatch>) (before as any)[k] = cur[k];
      qc.setQueryData<TicketDetail>(key, { ...cur, ...p } as TicketDetail); // optimistic
      inflight.current++;
      const send = (version: number) =>
        api.patch<Ticket>(`/api/v1/tickets/${ticketId}`, { version, ...p } satisfies TicketChanges);
      try {
        let saved: Ticket;
        try {
          saved = await send(cur.version);
        } catch (err) {
          // A message or someone's other field moved the version: retry once if our fields are as we saw them.
          const latest =
            err instanceof ApiError && err.code === 'VERSION_CONFLICT'
              ? ((err.details as any)?.ticket as Ticket)
              : null;
          if (!latest) throw err;
          const same = (Object.keys(p) as Array<keyof FieldPatch>).every(
            (k) => JSON.stringify(latest[k]) === JSON.stringify(cur[k]),
          );
          if (!same) {
            qc.setQueryData<TicketDetail>(key, (c) => (c ? { ...c, ...latest } : c));
            toast({ tone: 'error', text: t('ticket.conflict') });
            return false;
          }
          saved = await send(latest.version);
        }
        qc.setQueryData<TicketDetail>(key, (c) => (c ? { ...c, ...saved } : c));
        void qc.invalidateQueries({ queryKey: ['counts'] });
        if (undo)
          toast({
            text: t('fields.saved', { field: label }),
            action: { label: t('fields.undo'), run: () => void patchRef.current(before, label, false) },
          });
        return true;
      } catch (err) {
        qc.setQueryData<TicketDetail>(key, (c) => (c ? { ...c, ...before } : c));
        toast({ tone: 'error', text: t('fields.failed', { message: (err as Error).message }) });
        return false;
      } finally {
        inflight.current--;
      }
    },
    [api, qc, ticketId, t, toast],
  );
  const patchRef = useRef(patch);
  patchRef.current = patch;

  /** A change the composer makes (a macro's): its own event must not raise the "Ticket updated" bar. */
  const ownChange = useCallback(async <T,>(run: () => Promise<T>): Promise<T> => {
    inflight.current++;
    try {
      return await run();
    } finally {
      inflight.current--;
    }
  }, []);

  async function send(input: SendInput) {
    const tempId = `pending-${Date.now()}`;
    const optimistic: Message = {
      id: tempId,
      ticketId,
      kind: input.internal ? 'internal' : 'public',
      internal: input.internal,
      author: { type: 'user', id: me.id, name: me.name },
      body: input.body,
      channel: ticket?.channel ?? '',
      mentions: input.mentions,
      attachments: input.attachments,
      createdAt: new Date().toISOString(),
      pending: true,
    };
    qc.setQueryData<TicketDetail>(key, (c) => (c ? { ...c, messages: [...c.messages, optimistic] } : c));
    try {
      const res = await api.post<Message & { ticket: Ticket }>(`/api/v1/tickets/${ticketId}/messages`, {
        body: input.body,
        internal: input.internal || undefined,
        mentions: input.mentions.length ? input.mentions : undefined,
        attachmentIds: input.attachments.length ? input.attachments.map((a) => a.id) : undefined,
      } satisfies NewMessage);
      const { ticket: updated, ...message } = res;
      qc.setQueryData<TicketDetail>(key, (c) => {
        if (!c) return c;
        const withoutTemp = { ...c, messages: c.messages.filter((m) => m.id !== tempId) };
        return {
          ...appendMessage(withoutTemp, message as Message),
          ...(updated ?? {}),
          messages: appendMessage(withoutTemp, message as Message).messages,
        };
      });
      void qc.invalidateQueries({ queryKey: ['sla'] });
      if (!input.internal) void qc.invalidateQueries({ queryKey: key });
    } catch (err) {
      qc.setQueryData<TicketDetail>(key, (c) =>
        c ? { ...c, messages: c.messages.filter((m) => m.id !== tempId) } : c,
      );
      throw err;
    }
  }

  const actions = ticket
    ? ticketActions({ ticket, me, t, patch: (p, l) => patch(p, l), next: goNextTicket, open: setDialog })
    : [];
  useCommands('ticket', [
    { id: 'reply', label: t('actions.reply'), keys: 'r', single: true, run: () => composer.current?.focus('reply') },
    { id: 'note', label: t('actions.note'), keys: 'n', single: true, run: () => composer.current?.focus('note') },
    ...actions.map((a) => ({ id: a.id, label: a.label, keys: a.keys, single: a.single, run: a.run })),
  ]);

  if (q.isPending)
    return (
      <div className="ticket-empty" aria-busy="true">
        {t('ticket.loading')}
      </div>
    );
  if (q.isError || !ticket)
    return (
      <div className="ticket-empty" role="alert">
        {q.error instanceof ApiError && q.error.status === 404 ? t('ticket.notFound') : (q.error as Error)?.message}
      </div>
    );

  const others = viewers.filter((v) => v.userId !== me.id);
  const replyingNames = Object.entries(typists)
    .filter(([k, v]) => k !== 'customer' && v.mode === 'reply')
    .map(([, v]) => v.name ?? '?');
  for (const v of others) if (v.replying && v.name && !replyingNames.includes(v.name)) replyingNames.push(v.name);
  const noteNames = Object.entries(typists)
    .filter(([k, v]) => k !== 'customer' && v.mode === 'note')
    .map(([, v]) => v.name ?? '?');
  const customerTyping = !!typists.customer;
  const chat = ticket.channel === 'chat';
  const timers = ticket.sla.filter((s) => !s.metAt && s.status !== 'met' && s.status !== 'cancelled');

  return (
    <div className={`ticket-layout ${sideOpen ? '' : 'side-closed'}`}>
      <main className="ticket-main" id="ticket-main" aria-labelledby="ticket-title" data-testid="ticket-page">
        <header className="ticket-header">
          <div className="ticket-title-row">
            <h1 id="ticket-title">
              <span className="muted">#{ticket.number}</span> {ticket.subject}
            </h1>
            <div className="viewers" aria-label={t('ticket.viewers')} data-testid="viewers">
              {others.map((v) => {
                const state = v.replying ? 'replying' : 'viewing';
                const label = t(v.replying ? 'ticket.viewerReplying' : 'ticket.viewerViewing', { name: v.name ?? '?' });
                return <Avatar key={v.userId} id={v.userId} name={v.name} size={28} state={state} label={label} />;
              })}
            </div>
          </div>
          <div className="ticket-meta">
            <span className="chip">{t(`channel.${ticket.channel}`, { defaultValue: ticket.channel })}</span>
            <span className="status-chip">{t(`status.${ticket.status}`)}</span>
            <span className={`priority priority-${ticket.priority}`}>{t(`priority.${ticket.priority}`)}</span>
            {timers.map((s) => (
              <SlaBadge key={s.metric} timer={s} now={now} />
            ))}
            <span className="row-spacer" />
            {actions.map((a) => (
              <button
                key={a.id}
                className={`btn ${a.primary ? 'primary' : ''} small`}
                onClick={a.run}
                title={a.keys ? `${a.label} (${a.keys.toUpperCase()})` : a.label}
                data-testid={`action-${a.id}`}
              >
                {a.label}
              </button>
            ))}
          </div>
        </header>
        {changed && (
          <div className="update-bar" role="status">
            {t('ticket.updated')}{' '}
            <button
              className="btn small"
              onClick={() => {
                setChanged(false);
                void qc.invalidateQueries({ queryKey: key });
              }}
            >
              {t('ticket.showUpdate')}
            </button>
          </div>
        )}
        <Thread
          key={ticket.id}
          messages={ticket.messages}
          meId={me.id}
          chat={chat}
          readUpTo={readUpTo}
          onLoadEarlier={ticket.messagesNextCursor ? loadEarlier : undefined}
        />
        <div className="typing-status" role="status" aria-live="polite" data-testid="typing-status">
          {replyingNames.length > 0 && (
            <span className="collision-warning" data-testid="collision-warning">
              {t('ticket.replying', { names: joinNames(replyingNames, i18n.language) })}
            </span>
          )}
          {noteNames.length > 0 && (
            <span>{t('ticket.typingNote', { names: joinNames(noteNames, i18n.language) })}</span>
          )}
          {customerTyping && <span>{t('ticket.customerTyping')}</span>}
        </div>
        <Composer
          ref={composer}
          ticketId={ticket.id}
          chat={chat}
          canReply={me.permissions.includes('ticket.reply')}
          canNote={me.permissions.includes('ticket.note')}
          onSend={send}
          ownChange={ownChange}
          onTyping={(mode, typing) => live?.typing(ticket.id, mode, typing)}
        />
      </main>
      {dialog === 'escalate' && <EscalateDialog ticket={ticket} onClose={() => setDialog(null)} />}
      {dialog === 'link-issue' && <LinkIssueDialog ticket={ticket} onClose={() => setDialog(null)} />}
      {sideOpen && (
        <aside className="ticket-side" aria-label={t('fields.title')}>
          <Sidebar ticket={ticket} viewId={viewId} onPatch={(p, l) => void patch(p, l)} />
        </aside>
      )}
    </div>
  );
}
