/** Every permission a role or API key can hold. Roles are data: a tenant combines these freely. */
export const PERMISSIONS = {
  'ticket.create': 'Create tickets',
  'ticket.view_all': 'See every ticket of the workspace (without it: own team, assigned and shared tickets)',
  'ticket.reply': 'Send public replies to customers',
  'ticket.note': 'Add internal notes',
  'ticket.update': 'Change status, priority, assignee, team, tags and fields',
  'customer.read': 'See customer profiles',
  'user.read': 'See the people of the workspace',
  'user.manage': 'Add people, change their roles, disable them',
  'role.manage': 'Create and change roles',
  'team.manage': 'Create teams and change members',
  'apikey.manage': 'Create and revoke API keys',
  'audit.read': 'Read the audit log',
  'settings.manage': 'Change workspace settings and channels',
  'report.read': 'Read reports and every scorecard (everyone can read their own scorecard)',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

const TICKET_WORK: Permission[] = [
  'ticket.create',
  'ticket.reply',
  'ticket.note',
  'ticket.update',
  'customer.read',
  'user.read',
];

/**
 * The roles every workspace starts with. Engineers and product staff get the same ticket permissions as
 * agents (nobody needs a support seat); they see the tickets of their teams and those shared with them.
 */
export const BUILTIN_ROLES: Record<string, { description: string; permissions: Permission[] }> = {
  admin: { description: 'Everything, including people, roles and settings', permissions: ALL_PERMISSIONS },
  supervisor: {
    description: 'Runs teams: every ticket, teams and the audit log',
    permissions: [...TICKET_WORK, 'ticket.view_all', 'team.manage', 'audit.read', 'report.read'],
  },
  agent: { description: 'First-line support: every ticket', permissions: [...TICKET_WORK, 'ticket.view_all'] },
  engineer: { description: 'Answers tickets of their teams and those shared with them', permissions: TICKET_WORK },
  product: {
    description: 'Answers and follows tickets of their teams and those shared with them',
    permissions: TICKET_WORK,
  },
};

export function isPermission(p: string): p is Permission {
  return p in PERMISSIONS;
}
