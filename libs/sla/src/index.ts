export * from './calendar';
export * from './ical';
export * from './policy';
export * from './sla.service';
export * from './sla.module';
