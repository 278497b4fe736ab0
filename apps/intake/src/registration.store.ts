import type { DataSource, EntityManager } from 'typeorm';
import type { VisitRegistered } from '@bhyt/contracts';
import type { PatientPii, PiiCipher } from './pii-cipher';

/** A visit as the request that registered it is answered again (no snake_case, no driver shapes). */
export interface StoredVisit {
  readonly visitId: string;
  readonly maLk: string;
  readonly patientRef: string;
  readonly cardCheck: VisitRegistered['cardCheck'];
  readonly cardCheckCode: string | null;
  /** The registering request's fingerprint; null for visits registered before fingerprints were kept. */
  readonly requestFingerprint: string | null;
}

export interface NewVisit {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly maBn: string;
  readonly patientRef: string;
  readonly careType: string;
  readonly identifierType: string;
  readonly insured: boolean;
  readonly cardNumber: string | null;
  readonly cardCheck: VisitRegistered['cardCheck'];
  readonly registeredAt: Date;
  readonly requestId: string;
  readonly cardCheckCode: string | null;
  readonly cardCheckedAt: Date | null;
  readonly cardNextCheckAt: Date | null;
  readonly requestFingerprint: string;
}

interface VisitRow {
  visit_id: string;
  ma_lk: string;
  patient_ref: string;
  card_check: VisitRegistered['cardCheck'];
  card_check_code: string | null;
  request_fingerprint: string | null;
}

/**
 * Every SQL statement of registration on `visits`, `ma_lk_seq`, `patients` and
 * `patient_identifiers`. Personal data reaches `patients` only as the cipher's ciphertext;
 * patients are found again by keyed identifier hashes, never by their data.
 */
export class RegistrationStore {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: PiiCipher,
  ) {}

  /** A plain transaction (runs once). */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** The visit a request with this requestId registered at the facility (outside a transaction without `m`). */
  async findByRequest(
    facilityCode: string,
    requestId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<StoredVisit | undefined> {
    const rows: VisitRow[] = await m.query(
      `SELECT visit_id, ma_lk, patient_ref, card_check, card_check_code, request_fingerprint FROM visits WHERE facility_code = $1 AND request_id = $2`,
      [facilityCode, requestId],
    );
    const v = rows[0];
    return (
      v && {
        visitId: v.visit_id,
        maLk: v.ma_lk,
        patientRef: v.patient_ref,
        cardCheck: v.card_check,
        cardCheckCode: v.card_check_code,
        requestFingerprint: v.request_fingerprint,
      }
    );
  }

  /** The next MA_LK sequence number, as text. */
  async nextMaLkSequence(m: EntityManager): Promise<string> {
    const [{ seq }]: Array<{ seq: string }> = await m.query(`SELECT nextval('ma_lk_seq')::text AS seq`);
    return seq;
  }

  /** The patients known by any of these identifier hashes (usually none or one). */
  async findPatientRefs(m: EntityManager, identifierHashes: readonly string[]): Promise<string[]> {
    const rows: Array<{ patient_ref: string }> = await m.query(
      `SELECT DISTINCT patient_ref FROM patient_identifiers WHERE identifier_hash = ANY($1::text[])`,
      [identifierHashes],
    );
    return rows.map((r) => r.patient_ref);
  }

  /** A new patient: the personal data encrypted (AES-256-GCM, bound to the patientRef). */
  async createPatient(m: EntityManager, patientRef: string, pii: PatientPii): Promise<void> {
    await m.query(`INSERT INTO patients (patient_ref, pii, pii_key_id) VALUES ($1,$2,$3)`, [
      patientRef,
      this.cipher.encrypt(pii, patientRef),
      this.cipher.keyId,
    ]);
  }

  /** Links identifier hashes to a patient; hashes already linked are left as they are. */
  async linkIdentifiers(
    m: EntityManager,
    patientRef: string,
    identifierType: string,
    identifierHashes: readonly string[],
  ): Promise<void> {
    for (const h of identifierHashes) {
      await m.query(
        `INSERT INTO patient_identifiers (identifier_hash, patient_ref, identifier_type) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`,
        [h, patientRef, identifierType],
      );
    }
  }

  /** @throws the driver's unique violation (23505) when the facility's requestId is taken. */
  async insertVisit(m: EntityManager, v: NewVisit): Promise<void> {
    await m.query(
      `INSERT INTO visits (visit_id, facility_code, ma_lk, ma_bn, patient_ref, care_type, identifier_type, insured, card_number, card_check, registered_at, request_id,
                           card_check_code, card_checked_at, card_next_check_at, request_fingerprint)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
      [
        v.visitId,
        v.facilityCode,
        v.maLk,
        v.maBn,
        v.patientRef,
        v.careType,
        v.identifierType,
        v.insured,
        v.cardNumber,
        v.cardCheck,
        v.registeredAt,
        v.requestId,
        v.cardCheckCode,
        v.cardCheckedAt,
        v.cardNextCheckAt,
        v.requestFingerprint,
      ],
    );
  }
}
