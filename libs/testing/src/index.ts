export * from './test-app';
export * from './session';
export * from './realtime';
export * from './mail';
export * from './browser';
export * from './stack';
