import { Tenant } from './tenant.entity';
import { Role } from './role.entity';
import { User, UserRole } from './user.entity';
import { Team, TeamMember } from './team.entity';
import { Customer, CustomerIdentity } from './customer.entity';
import { ApiKey, Session } from './session.entity';
import { Ticket } from './ticket.entity';
import { Attachment, Message } from './message.entity';
import { AuditEntry, IdempotencyKey, RelayCursor, TicketEvent } from './event.entity';
import { ChannelRow, EmailMessageId, InboundEmail } from './channel.entity';
import { BusinessCalendarRow, SlaPolicyRow, SlaTimerRow } from './sla.entity';
import { LinkedIssue, TicketIssueLink } from './linked-issue.entity';

export * from './tenant.entity';
export * from './role.entity';
export * from './user.entity';
export * from './team.entity';
export * from './customer.entity';
export * from './session.entity';
export * from './ticket.entity';
export * from './message.entity';
export * from './event.entity';
export * from './channel.entity';
export * from './sla.entity';
export * from './linked-issue.entity';

export const ENTITIES = [
  Tenant,
  Role,
  User,
  UserRole,
  Team,
  TeamMember,
  Customer,
  CustomerIdentity,
  Session,
  ApiKey,
  Ticket,
  Message,
  Attachment,
  TicketEvent,
  AuditEntry,
  IdempotencyKey,
  RelayCursor,
  ChannelRow,
  InboundEmail,
  EmailMessageId,
  BusinessCalendarRow,
  SlaPolicyRow,
  SlaTimerRow,
  LinkedIssue,
  TicketIssueLink,
];
