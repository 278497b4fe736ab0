import { MigrationInterface, QueryRunner } from 'typeorm';

export class Intake1700000000100 implements MigrationInterface {
  name = 'Intake1700000000100';
  async up(q: QueryRunner): Promise<void> {
    // One patient identity across the network, found by any of its identifiers. Identifiers
    // are stored only as keyed hashes (HMAC): the table cannot be read back into CCCDs.
    await q.query(`CREATE TABLE patients (
      patient_ref uuid PRIMARY KEY,
      full_name text NOT NULL,
      birth_date text NOT NULL,
      sex text NOT NULL,
      address text,
      citizen_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE patient_identifiers (
      identifier_hash text PRIMARY KEY,
      patient_ref uuid NOT NULL REFERENCES patients(patient_ref),
      identifier_type text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE visits (
      visit_id uuid PRIMARY KEY,
      facility_code text NOT NULL,
      ma_lk text NOT NULL UNIQUE,
      ma_bn text NOT NULL,
      patient_ref uuid NOT NULL REFERENCES patients(patient_ref),
      care_type text NOT NULL,
      identifier_type text NOT NULL,
      insured boolean NOT NULL,
      card_number text,
      card_check text NOT NULL,
      registered_at timestamptz NOT NULL,
      request_id text NOT NULL,
      UNIQUE (facility_code, request_id)
    )`);
    await q.query(`CREATE SEQUENCE ma_lk_seq`);
    await q.query(`CREATE INDEX visits_card_pending ON visits (registered_at) WHERE card_check = 'PENDING'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE visits; DROP TABLE patient_identifiers; DROP TABLE patients; DROP SEQUENCE ma_lk_seq',
    );
  }
}
