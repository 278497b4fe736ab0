export * from './data-source';
export * from './outbox';
export * from './outbox-relay';
export * from './claim-trace';
export * from './group-commit';
export * from './column-compression';
export * from './rows';
