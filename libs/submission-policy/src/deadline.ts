/**
 * Submission deadlines. The regulation sends "immediately after" the episode ends (TT 48 Art. 6);
 * the platform promises a configurable window (24 h by default; a 3-hour rule is in draft).
 */
export interface DeadlinePolicy {
  windowMs: number;
  /** A claim still unsent when this fraction of its window has passed is "at risk". */
  atRiskFraction: number;
}

export const HOUR = 3600_000;

export function deadlinePolicy(windowHours: number, atRiskFraction = 0.75): DeadlinePolicy {
  if (!(windowHours > 0)) throw new Error('window must be positive');
  if (!(atRiskFraction > 0 && atRiskFraction < 1)) throw new Error('atRiskFraction must be in (0, 1)');
  return { windowMs: windowHours * HOUR, atRiskFraction };
}

export function deadlineFor(encounterEnd: Date, policy: DeadlinePolicy): Date {
  return new Date(encounterEnd.getTime() + policy.windowMs);
}

export type DeadlineState = 'ok' | 'at-risk' | 'missed';

export function deadlineState(
  now: Date,
  encounterEnd: Date,
  deadline: Date,
  policy: DeadlinePolicy,
): DeadlineState {
  if (now.getTime() > deadline.getTime()) return 'missed';
  const window = deadline.getTime() - encounterEnd.getTime();
  const riskAt = encounterEnd.getTime() + window * policy.atRiskFraction;
  return now.getTime() >= riskAt ? 'at-risk' : 'ok';
}
