export * from './topics';
export * from './headers';
export * from './events';
export * from './service-names';
export * from './ward-events';
export * from './canonical';
export * from './errors';
export * from './vietnam-time';
