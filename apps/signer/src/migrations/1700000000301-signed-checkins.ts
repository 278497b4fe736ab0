import { MigrationInterface, QueryRunner } from 'typeorm';

export class SignedCheckins1700000000301 implements MigrationInterface {
  name = 'SignedCheckins1700000000301';
  async up(q: QueryRunner): Promise<void> {
    // The signed check-in documents (XML0), the facility's evidence of what it sent at check-in.
    // Idempotent by (facility, MA_LK, sequence): a redelivered checkin.ready signs nothing twice.
    await q.query(`CREATE TABLE signed_checkins (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      sequence int NOT NULL,
      document_sha256 text NOT NULL,
      certificate_sha256 text NOT NULL,
      key_id text NOT NULL,
      signed_xml text NOT NULL,
      signed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (facility_code, ma_lk, sequence)
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE signed_checkins');
  }
}
