export * from './calendar';
export * from './figures';
export * from './reports';
export * from './csv';
export * from './xlsx';
export * from './staleness';
