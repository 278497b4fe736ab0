import { MigrationInterface, QueryRunner } from 'typeorm';
import { useDefaultCompression, useLz4Compression } from '@bhyt/persistence';

const COLUMNS: Array<[string, string]> = [['submissions', 'signed_xml_b64']];

/** The documents waiting to be sent are compressed with lz4 instead of pglz. */
export class SignedXmlLz41700000000402 implements MigrationInterface {
  name = 'SignedXmlLz41700000000402';
  async up(q: QueryRunner): Promise<void> {
    await useLz4Compression(q, COLUMNS);
  }
  async down(q: QueryRunner): Promise<void> {
    await useDefaultCompression(q, COLUMNS);
  }
}
