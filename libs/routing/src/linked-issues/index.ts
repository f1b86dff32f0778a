export * from './template';
export * from './linked-issues.repository';
export * from './linked-issues.service';
export * from './linked-issues.module';
