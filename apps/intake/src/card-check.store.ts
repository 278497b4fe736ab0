import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '@bhyt/persistence';
import type { CardVerdict } from './card-verdict';
import type { PatientPii, PiiCipher } from './pii-cipher';

/** A visit whose PENDING card check is due again, leased to this caller. */
export interface DueCardCheck {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly cardNumber: string;
  readonly patientRef: string;
  /** Decrypted for the lookup alone: never log it. */
  readonly pii: PatientPii;
  /** Attempts so far, this one included. */
  readonly attempts: number;
}

interface DueRow {
  visit_id: string;
  facility_code: string;
  ma_lk: string;
  card_number: string;
  patient_ref: string;
  pii: Buffer;
  card_check_attempts: number;
}

/** Every SQL statement of the card re-check on `visits` (with the patient's encrypted data). */
export class CardCheckStore {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: PiiCipher,
  ) {}

  /** A plain transaction (runs once). */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * Leases up to `limit` due PENDING checks by moving their next check `leaseMs` ahead and
   * counting the attempt (replicas share the work; none holds a transaction open while the
   * gateway answers).
   */
  async takeDue(limit: number, leaseMs = 60_000): Promise<DueCardCheck[]> {
    const rows = rowsOf<DueRow>(
      await this.ds.query(
        `UPDATE visits v SET card_next_check_at = now() + ($2::bigint * interval '1 millisecond'), card_check_attempts = v.card_check_attempts + 1
         FROM patients p
         WHERE p.patient_ref = v.patient_ref AND v.visit_id IN (
           SELECT visit_id FROM visits WHERE card_check = 'PENDING' AND card_next_check_at <= now() ORDER BY card_next_check_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING v.visit_id, v.facility_code, v.ma_lk, v.card_number, v.patient_ref, p.pii, v.card_check_attempts`,
        [limit, leaseMs],
      ),
    );
    return rows.map((r) => ({
      visitId: r.visit_id,
      facilityCode: r.facility_code,
      maLk: r.ma_lk,
      cardNumber: r.card_number,
      patientRef: r.patient_ref,
      pii: this.cipher.decrypt(r.pii, r.patient_ref),
      attempts: r.card_check_attempts,
    }));
  }

  /** Still no answer: keeps the check PENDING, with the failure's code, and asks again after `delayMs`. */
  async postpone(visitId: string, code: string, delayMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE visits SET card_check_code = $2, card_next_check_at = now() + ($3::bigint * interval '1 millisecond') WHERE visit_id = $1 AND card_check = 'PENDING'`,
      [visitId, code, delayMs],
    );
  }

  /**
   * Records the gateway's answer if the check is still PENDING.
   * @returns false when another replica (or an earlier run) recorded one first.
   */
  async recordAnswer(
    m: EntityManager,
    visitId: string,
    answer: { cardCheck: Exclude<CardVerdict, 'PENDING'>; code: string; checkedAt: Date },
  ): Promise<boolean> {
    const updated = rowsOf<unknown>(
      await m.query(
        `UPDATE visits SET card_check = $2, card_check_code = $3, card_checked_at = $4, card_next_check_at = NULL WHERE visit_id = $1 AND card_check = 'PENDING' RETURNING 1`,
        [visitId, answer.cardCheck, answer.code, answer.checkedAt],
      ),
    );
    return updated.length > 0;
  }
}
