import { CardChecked, Topics } from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { recheckDelayMs } from './card-verdict';
import { CardLookupService } from './card-lookup.service';
import type { IntakeConfig } from './config';

interface DueVisit {
  visit_id: string;
  facility_code: string;
  ma_lk: string;
  card_number: string;
  patient_ref: string;
  pii: Buffer;
  card_check_attempts: number;
}

/**
 * Asks the gateway again about cards whose check was PENDING at registration. A visit is
 * leased by moving its next check time forward before the lookup (several replicas share the
 * work, none holds a transaction open while the gateway answers). An answer updates the visit
 * and emits intake.card-checked.v1 through the outbox; no answer schedules the next attempt.
 */
export class CardRechecker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cards: CardLookupService,
    private readonly config: IntakeConfig,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.runtime.logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'card re-check round failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, Math.min(1000, this.config.CARD_RECHECK_INTERVAL_MS));
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round: at most 20 due visits. @returns how many got an answer. */
  async runOnce(): Promise<number> {
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount].
    const [due]: [DueVisit[], number] = await this.runtime.ds.query(
      `UPDATE visits v SET card_next_check_at = now() + interval '60 seconds', card_check_attempts = v.card_check_attempts + 1
       FROM patients p
       WHERE p.patient_ref = v.patient_ref AND v.visit_id IN (
         SELECT visit_id FROM visits WHERE card_check = 'PENDING' AND card_next_check_at <= now() ORDER BY card_next_check_at LIMIT 20 FOR UPDATE SKIP LOCKED)
       RETURNING v.visit_id, v.facility_code, v.ma_lk, v.card_number, v.patient_ref, p.pii, v.card_check_attempts`,
    );
    let answered = 0;
    for (const v of due) {
      // Name and birth date are kept only encrypted (pii-cipher.ts); decrypted for the lookup alone.
      const pii = this.config.piiCipher.decrypt(v.pii, v.patient_ref);
      const r = await this.cards.check({ facilityCode: v.facility_code, cardNumber: v.card_number, fullName: pii.fullName, birthDate: pii.birthDate });
      if (r.cardCheck === 'PENDING') {
        await this.runtime.ds.query(`UPDATE visits SET card_check_code = $2, card_next_check_at = now() + ($3::bigint * interval '1 millisecond') WHERE visit_id = $1 AND card_check = 'PENDING'`, [
          v.visit_id,
          r.code,
          recheckDelayMs(v.card_check_attempts, this.config.CARD_RECHECK_INTERVAL_MS),
        ]);
        continue;
      }
      answered++;
      await this.runtime.ds.transaction(async (m) => {
        const checkedAt = new Date();
        const updated = await m.query(
          `UPDATE visits SET card_check = $2, card_check_code = $3, card_checked_at = $4, card_next_check_at = NULL WHERE visit_id = $1 AND card_check = 'PENDING' RETURNING 1`,
          [v.visit_id, r.cardCheck, r.code, checkedAt],
        );
        if (updated[1] === 0) return;
        const payload: CardChecked = {
          visitId: v.visit_id,
          facilityCode: v.facility_code,
          maLk: v.ma_lk,
          cardCheck: r.cardCheck as CardChecked['cardCheck'],
          resultCode: r.code,
          attempts: v.card_check_attempts,
          checkedAt: checkedAt.toISOString(),
        };
        await enqueueOutbox(m, [createEvent(Topics.intakeCardChecked.name, { facilityCode: v.facility_code, key: v.ma_lk, payload }).message]);
      });
      this.runtime.logger.info({ facility: v.facility_code, maLk: v.ma_lk, cardCheck: r.cardCheck, code: r.code, attempts: v.card_check_attempts }, 'pending card check answered');
    }
    return answered;
  }
}
