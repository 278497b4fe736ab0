export * from './background-job';
