import { publishOpenClaims } from '@bhyt/observability';
import { DeadlinePolicy } from '@bhyt/submission-policy';
import type { SubmissionStore } from './submission.store';

/**
 * The 24-hour SLA gauges: claims not yet at the gateway by facility and age bucket, and how
 * many of them are at risk or past their deadline right now. One grouped query on the
 * submissions_open index, run with every deadline check.
 */
export async function sampleOpenClaims(
  store: SubmissionStore,
  policy: DeadlinePolicy,
  facilities: string[],
): Promise<void> {
  publishOpenClaims(await store.openClaimAges(policy.atRiskFraction), facilities);
}
