export * from './chain';
export * from './migration';
export * from './audit-log';
