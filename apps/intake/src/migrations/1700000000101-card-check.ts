import { MigrationInterface, QueryRunner } from 'typeorm';

export class CardCheck1700000000101 implements MigrationInterface {
  name = 'CardCheck1700000000101';
  async up(q: QueryRunner): Promise<void> {
    // The gateway's answer (maKetQua) and the re-check schedule of PENDING card checks.
    await q.query(`ALTER TABLE visits
      ADD COLUMN card_check_code text,
      ADD COLUMN card_check_attempts int NOT NULL DEFAULT 0,
      ADD COLUMN card_checked_at timestamptz,
      ADD COLUMN card_next_check_at timestamptz`);
    await q.query(
      `CREATE INDEX visits_card_recheck ON visits (card_next_check_at) WHERE card_check = 'PENDING'`,
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX visits_card_recheck`);
    await q.query(
      `ALTER TABLE visits DROP COLUMN card_check_code, DROP COLUMN card_check_attempts, DROP COLUMN card_checked_at, DROP COLUMN card_next_check_at`,
    );
  }
}
