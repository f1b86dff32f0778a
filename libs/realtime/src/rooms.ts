/** Socket.io rooms. Every name starts with the tenant, so no room is ever shared across tenants. */
export const rooms = {
  /** Staff who see every ticket of the tenant (`ticket.view_all`). */
  staff: (tenantId: string) => `t:${tenantId}:staff`,
  team: (tenantId: string, teamId: string) => `t:${tenantId}:team:${teamId}`,
  user: (tenantId: string, userId: string) => `t:${tenantId}:user:${userId}`,
  customer: (tenantId: string, customerId: string) => `t:${tenantId}:customer:${customerId}`,
  /** Whoever has the ticket open: viewing and typing. */
  ticket: (tenantId: string, ticketId: string) => `t:${tenantId}:ticket:${ticketId}`,
  presence: (tenantId: string) => `t:${tenantId}:presence`,
};

export const NAMESPACES = { agents: '/agents', widget: '/widget' } as const;

/** The Redis channel prefix shared by the API processes' adapter and the worker's emitter. */
export const socketIoKey = (env: { REDIS_PREFIX: string }) => `${env.REDIS_PREFIX}:socket.io`;
