import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/** A committed ticket event, as published after commit and as replayed from `ticket_events`. */
export interface TicketEventRecord {
  /** bigserial id, as a string: the replay cursor. */
  id: string;
  tenantId: string;
  ticketId: string;
  type: string;
  visibility: 'public' | 'internal';
  actorType: string;
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  /** Who may receive it: the ticket's team, assignee and requester after the change, and before it. */
  route?: EventRoute;
  /** On `ticket.created` in the writing process only (never stored): the ticket was stored already routed. */
  routed?: boolean;
}

export interface EventRoute {
  teamId: string | null;
  assigneeId: string | null;
  requesterId: string;
  previousTeamId?: string | null;
  previousAssigneeId?: string | null;
  /** People brought into the ticket (mentions, escalations) who are neither its team nor its assignee. */
  sharedWith?: string[];
  /** The ticket's followers, read by the statement that wrote a message (routing tells them); absent elsewhere. */
  followers?: string[];
  /**
   * On a message by a person of staff, read by the statement that wrote it: whether an open escalation of the ticket
   * asks its author (routing then marks it answered); absent elsewhere, where routing looks it up.
   */
  answersEscalation?: boolean;
}

/** A stored event row (joined with its ticket's team, assignee, requester and share list) as a record. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function eventFromRow(r: Record<string, any>): TicketEventRecord {
  return {
    id: String(r.id),
    tenantId: r.tenant_id,
    ticketId: r.ticket_id,
    type: r.type,
    visibility: r.visibility,
    actorType: r.actor_type,
    actorId: r.actor_id,
    data: r.data,
    createdAt: new Date(r.created_at).toISOString(),
    route: {
      teamId: r.team_id ?? null,
      assigneeId: r.assignee_id ?? null,
      requesterId: r.requester_id,
      sharedWith: r.shared_with ?? [],
    },
  };
}

/**
 * In-process bus of committed ticket events. Realtime, SLA and routing subscribe here; a subscriber that
 * throws is logged and never breaks the write that published.
 */
@Injectable()
export class TicketEventBus implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TicketEventBus.name);
  private readonly subject = new Subject<TicketEventRecord>();

  readonly events$: Observable<TicketEventRecord> = this.subject.asObservable();

  publish(events: TicketEventRecord[]): void {
    for (const event of events) {
      try {
        this.subject.next(event);
      } catch (err) {
        this.logger.error({ err, eventId: event.id }, 'A ticket event subscriber failed');
      }
    }
  }

  subscribe(handler: (event: TicketEventRecord) => void | Promise<void>): () => void {
    const sub = this.events$.subscribe((event) => {
      const run: Promise<void> = Promise.resolve()
        .then(() => handler(event))
        .catch((err) => this.logger.error({ err, eventId: event.id, type: event.type }, 'Ticket event handler failed'))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    });
    return () => sub.unsubscribe();
  }

  /** Handlers still at work on published events. */
  private readonly running = new Set<Promise<void>>();

  /**
   * Before the process closes its connections, the handlers of events already published finish (and those of the
   * events they publish in turn), up to 10 s: a short-lived process (the seed, a CLI) would otherwise cut them off
   * mid-query. What a crash cuts off, the relay and the catch-ups redo.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    while (this.running.size && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
      ]);
      clearTimeout(timer);
    }
  }
}

const SHUTDOWN_DRAIN_MS = 10_000;
