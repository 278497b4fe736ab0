import { MigrationInterface, QueryRunner } from 'typeorm';

export class RequestFingerprint1700000000102 implements MigrationInterface {
  name = 'RequestFingerprint1700000000102';
  async up(q: QueryRunner): Promise<void> {
    // Keyed hash of the canonical request body: a requestId re-used with another body is a
    // conflict (409), not a duplicate answered with another patient's visit. NULL for visits
    // registered before (taken as the same request).
    await q.query(`ALTER TABLE visits ADD COLUMN request_fingerprint text`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE visits DROP COLUMN request_fingerprint`);
  }
}
