export * from './entry';
export * from './book';
export * from './access';
