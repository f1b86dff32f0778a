export * from './rules';
export * from './assignment';
export * from './presence';
export * from './notifications.service';
export * from './routing.service';
export * from './escalation.service';
export * from './routing-events.service';
export * from './routing.module';
