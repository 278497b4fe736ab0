import { MigrationInterface, QueryRunner } from 'typeorm';

export class SignedClaims1700000000300 implements MigrationInterface {
  name = 'SignedClaims1700000000300';
  async up(q: QueryRunner): Promise<void> {
    // The signed document and its hash: the facility's evidence of what it sent (the portal
    // only searches 60 days back). Idempotent by (facility, MA_LK, version).
    await q.query(`CREATE TABLE signed_claims (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      version int NOT NULL,
      document_sha256 text NOT NULL,
      certificate_sha256 text NOT NULL,
      key_id text NOT NULL,
      signed_xml text NOT NULL,
      signed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (facility_code, ma_lk, version)
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE signed_claims');
  }
}
