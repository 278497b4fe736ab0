export * from './facility';
export * from './errors';
export * from './registry';
export * from './load';
