import { MigrationInterface, QueryRunner } from 'typeorm';

export class Submissions1700000000400 implements MigrationInterface {
  name = 'Submissions1700000000400';
  async up(q: QueryRunner): Promise<void> {
    // One row per (facility, MA_LK, version): the unique key is what makes a claim go to the
    // gateway once, however often claim.signed is delivered.
    await q.query(`CREATE TABLE submissions (
      id bigserial PRIMARY KEY,
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      version int NOT NULL,
      care_type text NOT NULL,
      document_sha256 text NOT NULL,
      signed_xml_b64 text,
      encounter_end timestamptz NOT NULL,
      deadline timestamptz NOT NULL,
      status text NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      ma_giao_dich text,
      received_at timestamptz,
      result_checked_at timestamptz,
      last_code text,
      last_error text,
      at_risk_notified boolean NOT NULL DEFAULT false,
      missed_notified boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (facility_code, ma_lk, version)
    )`);
    await q.query(
      `CREATE INDEX submissions_due ON submissions (deadline) WHERE status IN ('DUE', 'RECONCILE')`,
    );
    await q.query(
      `CREATE INDEX submissions_open ON submissions (deadline) WHERE status IN ('DUE', 'RECONCILE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'NEEDS_OPERATOR')`,
    );
    await q.query(
      `CREATE INDEX submissions_awaiting_result ON submissions (received_at) WHERE status = 'SUBMITTED'`,
    );
    await q.query(`CREATE TABLE submission_attempts (
      id bigserial PRIMARY KEY,
      submission_id bigint NOT NULL REFERENCES submissions(id),
      attempt int NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now(),
      outcome text NOT NULL,
      code text,
      detail text,
      ma_giao_dich text
    )`);
    await q.query(`CREATE INDEX submission_attempts_by_submission ON submission_attempts (submission_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE submission_attempts; DROP TABLE submissions');
  }
}
