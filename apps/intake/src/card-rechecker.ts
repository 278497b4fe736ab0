import { Inject, Injectable } from '@nestjs/common';
import { CardChecked, Topics } from '@bhyt/contracts';
import { BackgroundJob, type RunResult } from '@bhyt/jobs';
import { createEvent } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { LOGGER, type Logger } from '@bhyt/service-kit';
import { CardCheckStore } from './card-check.store';
import { recheckDelayMs } from './card-verdict';
import { CardLookupService } from './card-lookup.service';
import type { IntakeConfig } from './config';
import { INTAKE_CONFIG } from './tokens';

/** Visits leased per round. */
const BATCH = 20;

/**
 * Asks the gateway again about cards whose check was PENDING at registration. A visit is
 * leased by moving its next check time forward before the lookup (several replicas share the
 * work, none holds a transaction open while the gateway answers). An answer updates the visit
 * and emits intake.card-checked.v1 through the outbox; no answer schedules the next attempt.
 */
@Injectable()
export class CardRechecker extends BackgroundJob {
  constructor(
    private readonly store: CardCheckStore,
    private readonly cards: CardLookupService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super({
      name: 'card-rechecker',
      intervalMs: Math.min(1000, config.CARD_RECHECK_INTERVAL_MS),
      onError: (err) =>
        logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'card re-check round failed'),
    });
  }

  protected async runOnce(signal: AbortSignal): Promise<RunResult> {
    const { leased } = await this.recheckDue(signal);
    return leased === BATCH ? 'more' : 'idle';
  }

  /**
   * One round: at most 20 due visits (a stop ends it between two lookups; the visits not asked
   * about yet come due again when their lease ends). @returns how many were leased and answered.
   */
  async recheckDue(signal?: AbortSignal): Promise<{ leased: number; answered: number }> {
    const due = await this.store.takeDue(BATCH);
    let answered = 0;
    for (const v of due) {
      if (signal?.aborted) break;
      // Name and birth date are kept only encrypted (pii-cipher.ts); decrypted for the lookup alone.
      const r = await this.cards.check({
        facilityCode: v.facilityCode,
        cardNumber: v.cardNumber,
        fullName: v.pii.fullName,
        birthDate: v.pii.birthDate,
      });
      if (r.cardCheck === 'PENDING') {
        await this.store.postpone(
          v.visitId,
          r.code,
          recheckDelayMs(v.attempts, this.config.CARD_RECHECK_INTERVAL_MS),
        );
        continue;
      }
      answered++;
      const cardCheck = r.cardCheck;
      await this.store.transaction(async (m) => {
        const checkedAt = new Date();
        if (!(await this.store.recordAnswer(m, v.visitId, { cardCheck, code: r.code, checkedAt }))) return;
        const payload: CardChecked = {
          visitId: v.visitId,
          facilityCode: v.facilityCode,
          maLk: v.maLk,
          cardCheck,
          resultCode: r.code,
          attempts: v.attempts,
          checkedAt: checkedAt.toISOString(),
        };
        await enqueueOutbox(m, [
          createEvent(Topics.intakeCardChecked.name, { facilityCode: v.facilityCode, key: v.maLk, payload })
            .message,
        ]);
      });
      this.logger.info(
        { facility: v.facilityCode, maLk: v.maLk, cardCheck, code: r.code, attempts: v.attempts },
        'pending card check answered',
      );
    }
    return { leased: due.length, answered };
  }
}
