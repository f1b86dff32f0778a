export * from './calendar';
export * from './ical';
