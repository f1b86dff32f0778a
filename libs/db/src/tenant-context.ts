import { AsyncLocalStorage } from 'async_hooks';
import { Injectable } from '@nestjs/common';

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

/** What one request (or job) carries through every await: who acts, and the request's id for the audit log. */
export interface RequestScope {
  actor?: Actor;
  requestId?: string;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `fn` in a scope of its own. The API opens one per request in a Fastify `onRequest` hook (before routing, so
 * guards, pipes, handlers and after-commit work all see it); the worker opens one per job through
 * `TenantContext.run()`.
 */
export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The actor of the current scope, if any (log lines, the `@CurrentActor()` parameter). */
export function currentScope(): RequestScope | undefined {
  return scopes.getStore();
}

/**
 * The request-scoped tenant context. Repositories read the tenant from here, so no service ever
 * filters by tenant by hand; code that runs without a tenant in context fails loudly.
 */
@Injectable()
export class TenantContext {
  get actor(): Actor {
    const actor = scopes.getStore()?.actor;
    if (!actor) throw new Error('No tenant in context: run inside a request or TenantContext.run()');
    return actor;
  }

  get tenantId(): string {
    return this.actor.tenantId;
  }

  get hasActor(): boolean {
    return !!scopes.getStore()?.actor;
  }

  get requestId(): string | undefined {
    return scopes.getStore()?.requestId;
  }

  setActor(actor: Actor): void {
    const scope = scopes.getStore();
    if (!scope) throw new Error('No request scope: setActor() runs inside a request or TenantContext.run()');
    scope.actor = actor;
  }

  /** Runs `fn` as `actor` in a scope of its own (worker jobs, seeds, sign-up, after-commit subscribers). */
  run<T>(actor: Actor, fn: () => Promise<T>): Promise<T> {
    return scopes.run({ actor }, fn);
  }

  static system(tenantId: string): Actor {
    return { kind: 'system', id: null, tenantId, permissions: new Set(['*']) };
  }
}

/** Whether the actor holds a permission (`*` holds them all: system jobs and seeds). */
export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission) || actor.permissions.has('*');
}
