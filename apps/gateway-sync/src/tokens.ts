export const SCHEDULER = Symbol('SubmissionScheduler');
export const SUBMISSION_STORE = Symbol('SubmissionStore');
export const LOGGER = Symbol('Logger');
export const GATEWAY_SYNC_CONFIG = Symbol('GatewaySyncConfig');
