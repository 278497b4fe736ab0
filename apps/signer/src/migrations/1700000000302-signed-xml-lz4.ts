import { MigrationInterface, QueryRunner } from 'typeorm';
import { useDefaultCompression, useLz4Compression } from '@bhyt/persistence';

const COLUMNS: Array<[string, string]> = [
  ['signed_claims', 'signed_xml'],
  ['signed_checkins', 'signed_xml'],
];

/** Signed documents are compressed with lz4 instead of pglz: cheaper on every signature. */
export class SignedXmlLz41700000000302 implements MigrationInterface {
  name = 'SignedXmlLz41700000000302';
  async up(q: QueryRunner): Promise<void> {
    await useLz4Compression(q, COLUMNS);
  }
  async down(q: QueryRunner): Promise<void> {
    await useDefaultCompression(q, COLUMNS);
  }
}
