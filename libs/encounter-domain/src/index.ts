export * from './ward-events';
export * from './draft';
export * from './decompose';
export * from './checkin';
