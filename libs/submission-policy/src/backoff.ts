/**
 * Exponential backoff with full jitter, capped, and never later than what the deadline
 * allows: as the deadline nears, retries come sooner, not later.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function nextAttemptDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
  msToDeadline?: number,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
  let delay = Math.floor(exp / 2 + random() * (exp / 2));
  if (msToDeadline !== undefined && msToDeadline > 0)
    delay = Math.min(delay, Math.max(policy.baseMs, Math.floor(msToDeadline / 4)));
  return delay;
}
