export const SCHEDULER = Symbol('SubmissionScheduler');
export const SUBMISSION_STORE = Symbol('SubmissionStore');
export const GATEWAY_SYNC_CONFIG = Symbol('GatewaySyncConfig');
export const DEADLINE_POLICY = Symbol('DeadlinePolicy');
/** The service-wide logger (service-kit provides it); re-exported so that one import names the app's tokens. */
export { LOGGER } from '@bhyt/service-kit';
