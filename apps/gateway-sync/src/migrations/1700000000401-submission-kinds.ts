import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubmissionKinds1700000000401 implements MigrationInterface {
  name = 'SubmissionKinds1700000000401';
  async up(q: QueryRunner): Promise<void> {
    // Check-ins (XML0) travel through the same queue as claims, as their own kind: the unique
    // key becomes (facility, kind, MA_LK, version), version being the check-in sequence for
    // check-ins. For a check-in, encounter_end holds the first billable time.
    await q.query(
      `ALTER TABLE submissions ADD COLUMN kind text NOT NULL DEFAULT 'claim' CHECK (kind IN ('claim', 'checkin'))`,
    );
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT submissions_facility_code_ma_lk_version_key`);
    await q.query(
      `ALTER TABLE submissions ADD CONSTRAINT submissions_unique_key UNIQUE (facility_code, kind, ma_lk, version)`,
    );
    await q.query(`DROP INDEX submissions_due`);
    await q.query(
      `CREATE INDEX submissions_due ON submissions (kind, deadline) WHERE status IN ('DUE', 'RECONCILE')`,
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM submission_attempts WHERE submission_id IN (SELECT id FROM submissions WHERE kind = 'checkin')`,
    );
    await q.query(`DELETE FROM submissions WHERE kind = 'checkin'`);
    await q.query(`DROP INDEX submissions_due`);
    await q.query(
      `CREATE INDEX submissions_due ON submissions (deadline) WHERE status IN ('DUE', 'RECONCILE')`,
    );
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT submissions_unique_key`);
    await q.query(
      `ALTER TABLE submissions ADD CONSTRAINT submissions_facility_code_ma_lk_version_key UNIQUE (facility_code, ma_lk, version)`,
    );
    await q.query(`ALTER TABLE submissions DROP COLUMN kind`);
  }
}
