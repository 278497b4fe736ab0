export * from './deadline';
export * from './backoff';
export * from './circuit-breaker';
export * from './submission-state';
export * from './submission-errors';
