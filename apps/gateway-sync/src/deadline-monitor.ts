import { enqueueOutbox } from '@bhyt/persistence';
import { DeadlinePolicy } from '@bhyt/submission-policy';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { sampleOpenClaims } from './claim-gauges';
import { deadlineEvent } from './deadline-events';
import type { SubmissionStore } from './submission.store';

export interface DeadlineMonitorDeps {
  readonly ds: DataSource;
  readonly store: SubmissionStore;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  readonly facilities: () => string[];
}

/**
 * Watches unsent claims against their deadlines: emits claim.deadline-at-risk once when a
 * claim has used the at-risk fraction of its window, and claim.deadline-missed once when the
 * deadline passes. A missed deadline is always reported, never silent.
 */
export class DeadlineMonitor {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly deps: DeadlineMonitorDeps,
    private readonly policy: DeadlinePolicy,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.deps.logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'deadline check failed; next tick retries')), this.intervalMs);
  }

  async tick(): Promise<{ atRisk: number; missed: number }> {
    if (this.busy) return { atRisk: 0, missed: 0 };
    this.busy = true;
    try {
      // The SLA gauges (open claims by age, at risk, missed) are sampled with each check.
      await sampleOpenClaims(this.deps.store, this.policy, this.deps.facilities());
      return await this.deps.ds.transaction(async (m) => {
        const missed = await this.deps.store.markMissed(m, 500);
        const atRisk = await this.deps.store.markAtRisk(m, this.policy.atRiskFraction, 500);
        const now = new Date();
        await enqueueOutbox(m, [...missed.map((r) => deadlineEvent('missed', r, now)), ...atRisk.map((r) => deadlineEvent('at-risk', r, now))]);
        if (missed.length) this.deps.logger.error({ count: missed.length }, 'claims missed their submission deadline');
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
