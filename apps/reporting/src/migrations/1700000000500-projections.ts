import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projections built only from events; dropping these tables and replaying the topics from the
 * beginning rebuilds them (consumer group reset). No personal data is kept here.
 */
export class Projections1700000000500 implements MigrationInterface {
  name = 'Projections1700000000500';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE registrations (
      visit_id uuid PRIMARY KEY,
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      identifier_type text NOT NULL,
      care_type text NOT NULL,
      insured boolean NOT NULL,
      registered_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE claim_facts (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      version int NOT NULL,
      care_type text,
      insured boolean,
      encounter_end timestamptz,
      closed_at timestamptz,
      signed_at timestamptz,
      submitted_at timestamptz,
      deadline timestamptz,
      on_time boolean,
      ma_giao_dich text,
      accepted_at timestamptz,
      rejected_at timestamptz,
      reject_codes text[],
      at_risk_at timestamptz,
      missed_at timestamptz,
      PRIMARY KEY (facility_code, ma_lk, version)
    )`);
    await q.query(`CREATE INDEX claim_facts_by_day ON claim_facts (facility_code, encounter_end)`);
    await q.query(`CREATE TABLE health_book_reads (
      id bigserial PRIMARY KEY,
      facility_code text NOT NULL,
      reader_role text NOT NULL,
      purpose text NOT NULL,
      read_at timestamptz NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE health_book_reads; DROP TABLE claim_facts; DROP TABLE registrations');
  }
}
