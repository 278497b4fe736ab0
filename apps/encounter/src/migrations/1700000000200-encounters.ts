import { MigrationInterface, QueryRunner } from 'typeorm';

export class Encounters1700000000200 implements MigrationInterface {
  name = 'Encounters1700000000200';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE encounters (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      care_type text NOT NULL,
      status text NOT NULL,           -- OPEN, CLOSED, CORRECTION_PENDING
      version int NOT NULL DEFAULT 0, -- last closed version
      draft jsonb NOT NULL,
      opened_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (facility_code, ma_lk)
    )`);
    // Every ward event is kept, applied or not: nothing a ward system sends is dropped.
    await q.query(`CREATE TABLE ward_events (
      event_id uuid PRIMARY KEY,
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      type text NOT NULL,
      source text NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      data jsonb NOT NULL,
      after_close_of_version int
    )`);
    await q.query(`CREATE INDEX ward_events_by_encounter ON ward_events (facility_code, ma_lk)`);
    await q.query(`CREATE TABLE encounter_versions (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      version int NOT NULL,
      closed_at timestamptz NOT NULL,
      tables jsonb NOT NULL,
      PRIMARY KEY (facility_code, ma_lk, version)
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE encounter_versions; DROP TABLE ward_events; DROP TABLE encounters');
  }
}
