export * from './ward-events';
export * from './draft';
export * from './decompose';
export * from './checkin';
export * from './receipt';
export * from './retraction';
