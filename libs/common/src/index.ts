export * from './errors';
export * from './exception.filter';
export * from './pagination';
export * from './validation';
export * from './sanitize';
export * from './logging.module';
export * from './business-calendar';
export * from './turn-batch';
