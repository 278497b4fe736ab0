import { ClaimDeadline, Topics } from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';
import { Metrics } from '@bhyt/observability';
import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { DeadlinePolicy } from '@bhyt/submission-policy';

const OPEN = `('DUE', 'RECONCILE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'NEEDS_OPERATOR')`;

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
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  async tick(): Promise<{ atRisk: number; missed: number }> {
    if (this.busy) return { atRisk: 0, missed: 0 };
    this.busy = true;
    try {
      return await this.runtime.ds.transaction(async (m) => {
        const missed: Row[] = (await m.query(
          `UPDATE submissions SET missed_notified = true, at_risk_notified = true WHERE id IN (
             SELECT id FROM submissions WHERE status IN ${OPEN} AND NOT missed_notified AND deadline < now() LIMIT 500 FOR UPDATE SKIP LOCKED)
           RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
        ))[0];
        const atRisk: Row[] = (await m.query(
          `UPDATE submissions SET at_risk_notified = true WHERE id IN (
             SELECT id FROM submissions WHERE status IN ${OPEN} AND NOT at_risk_notified
               AND now() >= encounter_end + (deadline - encounter_end) * $1::float8 LIMIT 500 FOR UPDATE SKIP LOCKED)
           RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
          [this.policy.atRiskFraction],
        ))[0];
        const now = new Date().toISOString();
        const toEvent = (topic: typeof Topics.claimDeadlineMissed.name | typeof Topics.claimDeadlineAtRisk.name, r: Row) => {
          const payload: ClaimDeadline = { facilityCode: r.facility_code, maLk: r.ma_lk, version: r.version, encounterEnd: new Date(r.encounter_end).toISOString(), deadline: new Date(r.deadline).toISOString(), observedAt: now };
          Metrics.deadlines().inc({ facility: r.facility_code, kind: topic === Topics.claimDeadlineMissed.name ? 'missed' : 'at-risk' });
          return createEvent(topic, { facilityCode: r.facility_code, key: r.ma_lk, payload }).message;
        };
        await enqueueOutbox(m, [...missed.map((r) => toEvent(Topics.claimDeadlineMissed.name, r)), ...atRisk.map((r) => toEvent(Topics.claimDeadlineAtRisk.name, r))]);
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

interface Row {
  facility_code: string;
  ma_lk: string;
  version: number;
  encounter_end: Date;
  deadline: Date;
}
