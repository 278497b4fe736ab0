import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A submission carries the trace context of the claim.signed (or checkin.signed) that created
 * it, so that the scheduler continues the claim's trace from the row it takes — no insert into
 * claim_trace_context and no lookup per claim. Rows created before this migration have none and
 * are looked up in claim_trace_context as before (see the scheduler's take query).
 */
export class SubmissionTrace1700000000403 implements MigrationInterface {
  name = 'SubmissionTrace1700000000403';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE submissions ADD COLUMN IF NOT EXISTS trace_headers jsonb`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE submissions DROP COLUMN IF EXISTS trace_headers`);
  }
}
