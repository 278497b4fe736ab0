export * from './kafka';
export * from './errors';
export * from './publisher';
export * from './consumer';
export * from './envelope';
export * from './namespace';
export * from './dead-letter';
