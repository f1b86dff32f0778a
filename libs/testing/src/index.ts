export * from './test-app';
export * from './session';
export * from './realtime';
