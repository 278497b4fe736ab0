import { Inject, Injectable } from '@nestjs/common';
import { BackgroundJob } from '@bhyt/jobs';
import { enqueueOutbox } from '@bhyt/persistence';
import { DATA_SOURCE, FACILITY_REGISTRY, type DataSource, type FacilityRegistry } from '@bhyt/service-kit';
import { DeadlinePolicy } from '@bhyt/submission-policy';
import type { Logger } from 'pino';
import { sampleOpenClaims } from './claim-gauges';
import { deadlineEvent } from './deadline-events';
import type { SubmissionStore } from './submission.store';
import { DEADLINE_POLICY, LOGGER, SUBMISSION_STORE } from './tokens';

const CHECK_EVERY_MS = 5000;

/**
 * Watches unsent claims against their deadlines: emits claim.deadline-at-risk once when a
 * claim has used the at-risk fraction of its window, and claim.deadline-missed once when the
 * deadline passes. A missed deadline is always reported, never silent.
 */
@Injectable()
export class DeadlineMonitor extends BackgroundJob {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SUBMISSION_STORE) private readonly store: SubmissionStore,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn' | 'error'>,
    @Inject(FACILITY_REGISTRY) private readonly facilities: FacilityRegistry,
    @Inject(DEADLINE_POLICY) private readonly policy: DeadlinePolicy,
  ) {
    super({
      name: 'deadline-monitor',
      intervalMs: CHECK_EVERY_MS,
      onError: (err) =>
        logger.warn(
          { error: err instanceof Error ? err.name : 'error' },
          'deadline check failed; next tick retries',
        ),
    });
  }

  protected async runOnce(): Promise<void> {
    await this.tick();
  }

  async tick(): Promise<{ atRisk: number; missed: number }> {
    // The SLA gauges (open claims by age, at risk, missed) are sampled with each check.
    await sampleOpenClaims(
      this.store,
      this.policy,
      this.facilities.list().map((f) => f.code),
    );
    const marked = await this.ds.transaction(async (m) => {
      const missed = await this.store.markMissed(m, 500);
      const atRisk = await this.store.markAtRisk(m, this.policy.atRiskFraction, 500);
      const now = new Date();
      await enqueueOutbox(m, [
        ...missed.map((r) => deadlineEvent('missed', r, now)),
        ...atRisk.map((r) => deadlineEvent('at-risk', r, now)),
      ]);
      return { atRisk: atRisk.length, missed: missed.length };
    });
    if (marked.missed) this.logger.error({ count: marked.missed }, 'claims missed their submission deadline');
    return marked;
  }
}
