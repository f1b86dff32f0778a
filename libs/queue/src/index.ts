export * from './queues';
export * from './redis.module';
export * from './rate-limits';
