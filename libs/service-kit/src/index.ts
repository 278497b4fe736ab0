export * from './tracing';
export * from './runtime';
export * from './platform.module';
export * from './bootstrap';
export * from './http-errors';
export * from './zod-http';
export * from './http-tracing';
export * from './facility-guard';
