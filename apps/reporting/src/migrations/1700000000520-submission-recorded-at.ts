import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubmissionRecordedAt1700000000520 implements MigrationInterface {
  name = 'SubmissionRecordedAt1700000000520';
  async up(q: QueryRunner): Promise<void> {
    // When gateway-sync recorded the gateway's acceptance of the submission (claim.submitted's
    // occurredAt, a platform clock), next to the gateway's own receivedAt (submitted_at, the
    // gateway's clock): closed → submitted is measured between two platform clocks.
    await q.query(`ALTER TABLE claim_facts ADD COLUMN submission_recorded_at timestamptz`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claim_facts DROP COLUMN submission_recorded_at`);
  }
}
