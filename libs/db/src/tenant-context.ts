import { Injectable } from '@nestjs/common';
import { ClsService, ClsStore } from 'nestjs-cls';

export type ActorKind = 'user' | 'customer' | 'api_key' | 'system';

/** Who is acting, set once per request (by the auth guard) or per job (by the worker). */
export interface Actor {
  kind: ActorKind;
  id: string | null;
  tenantId: string;
  /** Permissions of a staff user or API key; empty for customers. */
  permissions: ReadonlySet<string>;
  /** Teams a staff user belongs to (ticket visibility for roles without `ticket.view_all`). */
  teamIds?: readonly string[];
  /** A customer's own id: customers see only their own tickets. */
  customerId?: string;
  name?: string;
  /** A staff user's login session (logout revokes it). */
  sessionId?: string;
  /** A portal token bound to one ticket opens only that ticket. */
  ticketId?: string;
}

export interface CrewdeskStore extends ClsStore {
  actor?: Actor;
  requestId?: string;
  ip?: string;
}

/**
 * The request-scoped tenant context. Repositories read the tenant from here, so no service ever
 * filters by tenant by hand; code that runs without a tenant in context fails loudly.
 */
@Injectable()
export class TenantContext {
  constructor(private readonly cls: ClsService<CrewdeskStore>) {}

  get actor(): Actor {
    const actor = this.cls.isActive() ? this.cls.get('actor') : undefined;
    if (!actor) throw new Error('No tenant in context: run inside a request or TenantContext.run()');
    return actor;
  }

  get tenantId(): string {
    return this.actor.tenantId;
  }

  get hasActor(): boolean {
    return this.cls.isActive() && !!this.cls.get('actor');
  }

  get requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.getId() : undefined;
  }

  setActor(actor: Actor): void {
    this.cls.set('actor', actor);
  }

  /** Runs `fn` as `actor` (worker jobs, seeds, sign-up). */
  run<T>(actor: Actor, fn: () => Promise<T>): Promise<T> {
    return this.cls.run(async () => {
      this.cls.set('actor', actor);
      return fn();
    });
  }

  static system(tenantId: string): Actor {
    return { kind: 'system', id: null, tenantId, permissions: new Set(['*']) };
  }
}

/** Whether the actor holds a permission (`*` holds them all: system jobs and seeds). */
export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission) || actor.permissions.has('*');
}
