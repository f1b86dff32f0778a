export * from './entities';
export * from './tenant-context';
export * from './db.module';
export * from './data-source-options';
export * from './pg-errors';
export * from './audit.service';
export * from './preflight';
export * from './prepared';
