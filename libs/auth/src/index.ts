export * from './permissions';
export * from './crypto';
export * from './tokens.service';
export * from './auth.decorators';
export * from './auth.guard';
export * from './auth.module';
