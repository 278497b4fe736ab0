import type { ChaosResult } from './chaos';

/**
 * What a chaos run must show, as a list of failures (empty: it passed). With the simulator's
 * lookup every claim reaches the gateway exactly once; with the production gateway (no lookup)
 * an ambiguous send may be re-sent, so each duplicate must come from one and be listed by the
 * operator API. Nothing lost, nothing stuck, every failure explained, every deadline reported.
 */
export function chaosVerdict(r: ChaosResult, expectedClaims: number): string[] {
  const failures: string[] = [];
  if (r.claims < expectedClaims) failures.push(`${r.claims} of ${expectedClaims} claims closed`);
  if (r.lost > 0) failures.push(`${r.lost} lost`);
  if (r.stuck === null) failures.push('stuck unknown');
  else if (r.stuck > 0) failures.push(`${r.stuck} stuck`);
  if (r.unexplained_failures > 0) failures.push(`${r.unexplained_failures} unexplained failures`);
  if (r.deadline_missed > 0) failures.push(`${r.deadline_missed} deadlines missed and not reported`);
  if (r.gateway === 'simulator') {
    if (r.duplicates > 0) failures.push(`${r.duplicates} duplicates`);
  } else {
    if (r.ambiguous_sends === null) failures.push('ambiguous_sends unknown');
    else if (r.duplicates > r.ambiguous_sends)
      failures.push(`${r.duplicates} duplicates > ${r.ambiguous_sends} ambiguous sends`);
    if (r.details.unlistedDuplicates.length > 0)
      failures.push(`${r.details.unlistedDuplicates.length} duplicates not listed by the operator API`);
  }
  return failures;
}
