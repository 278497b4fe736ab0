import { MigrationInterface, QueryRunner } from 'typeorm';

export class CheckinsHealthBook1700000000201 implements MigrationInterface {
  name = 'CheckinsHealthBook1700000000201';
  async up(q: QueryRunner): Promise<void> {
    // The pseudonymous patient reference from intake: the key of the health-book read model.
    await q.query(
      `ALTER TABLE encounters ADD COLUMN patient_ref uuid, ADD COLUMN checkins_sent int NOT NULL DEFAULT 0`,
    );
    await q.query(`CREATE INDEX encounters_by_patient ON encounters (patient_ref)`);
    // Every check-in decision is kept: READY ones went to the outbox, INVALID ones say why not.
    await q.query(`CREATE TABLE checkins (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      sequence int NOT NULL,
      status text NOT NULL,            -- READY, INVALID
      first_billable_at timestamptz NOT NULL,
      violations jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (facility_code, ma_lk, sequence)
    )`);
    // Ward events that arrived over Kafka before intake.registered opened their encounter:
    // applied, in the order they happened, when it opens.
    await q.query(`CREATE TABLE parked_ward_events (
      event_id uuid PRIMARY KEY,
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      occurred_at timestamptz NOT NULL,
      event jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX parked_by_encounter ON parked_ward_events (facility_code, ma_lk)`);
    // Health-book read model: one entry per closed version, looked up by patient across facilities.
    await q.query(`CREATE TABLE health_book_entries (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      version int NOT NULL,
      patient_ref uuid NOT NULL,
      admitted_at timestamptz NOT NULL,
      entry jsonb NOT NULL,
      PRIMARY KEY (facility_code, ma_lk, version)
    )`);
    await q.query(`CREATE INDEX health_book_by_patient ON health_book_entries (patient_ref)`);
    // Audit of every health-book read attempt (granted or refused): who, where, whom, why, when.
    await q.query(`CREATE TABLE health_book_reads (
      id bigserial PRIMARY KEY,
      read_at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      actor_role text NOT NULL,
      facility_code text NOT NULL,
      patient_ref uuid NOT NULL,
      purpose text NOT NULL,
      outcome text NOT NULL,           -- GRANTED or the refusal code
      episodes int NOT NULL DEFAULT 0
    )`);
    await q.query(`CREATE INDEX health_book_reads_by_patient ON health_book_reads (patient_ref, read_at)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE health_book_reads; DROP TABLE health_book_entries; DROP TABLE parked_ward_events; DROP TABLE checkins',
    );
    await q.query('ALTER TABLE encounters DROP COLUMN patient_ref, DROP COLUMN checkins_sent');
  }
}
