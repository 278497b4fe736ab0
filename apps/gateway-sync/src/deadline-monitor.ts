import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { DeadlinePolicy } from '@bhyt/submission-policy';
import { sampleOpenClaims } from './claim-gauges';
import { deadlineEvent, DeadlineRow } from './deadline-events';

const OPEN = `('DUE', 'RECONCILE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'NEEDS_OPERATOR')`;
// Check-ins share the queue but have no claim deadline events.
const CLAIMS = `kind = 'claim'`;

/**
 * Watches unsent claims against their deadlines: emits claim.deadline-at-risk once when a
 * claim has used the at-risk fraction of its window, and claim.deadline-missed once when the
 * deadline passes. A missed deadline is always reported, never silent.
 */
export class DeadlineMonitor {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly policy: DeadlinePolicy,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.runtime.logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'deadline check failed; next tick retries')), this.intervalMs);
  }

  async tick(): Promise<{ atRisk: number; missed: number }> {
    if (this.busy) return { atRisk: 0, missed: 0 };
    this.busy = true;
    try {
      // The SLA gauges (open claims by age, at risk, missed) are sampled with each check.
      await sampleOpenClaims(this.runtime.ds, this.policy, this.runtime.facilities.list().map((f) => f.code));
      return await this.runtime.ds.transaction(async (m) => {
        const missed: Row[] = (await m.query(
          `UPDATE submissions SET missed_notified = true, at_risk_notified = true WHERE id IN (
             SELECT id FROM submissions WHERE ${CLAIMS} AND status IN ${OPEN} AND NOT missed_notified AND deadline < now() LIMIT 500 FOR UPDATE SKIP LOCKED)
           RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
        ))[0];
        const atRisk: Row[] = (await m.query(
          `UPDATE submissions SET at_risk_notified = true WHERE id IN (
             SELECT id FROM submissions WHERE ${CLAIMS} AND status IN ${OPEN} AND NOT at_risk_notified
               AND now() >= encounter_end + (deadline - encounter_end) * $1::float8 LIMIT 500 FOR UPDATE SKIP LOCKED)
           RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
          [this.policy.atRiskFraction],
        ))[0];
        const now = new Date();
        await enqueueOutbox(m, [...missed.map((r) => deadlineEvent('missed', r, now)), ...atRisk.map((r) => deadlineEvent('at-risk', r, now))]);
        if (missed.length) this.runtime.logger.error({ count: missed.length }, 'claims missed their submission deadline');
        return { atRisk: atRisk.length, missed: missed.length };
      });
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

type Row = DeadlineRow;
