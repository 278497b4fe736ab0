export const SCHEDULER = Symbol('SubmissionScheduler');
