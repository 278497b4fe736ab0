import { MigrationInterface, QueryRunner } from 'typeorm';
import { piiCipherFromEnv } from '../pii-cipher';

/**
 * Personal data of patients encrypted at rest (AES-256-GCM, see pii-cipher.ts): the plain
 * columns are replaced by one ciphertext. Rows written before this migration are encrypted
 * here, which needs the data key only when such rows exist.
 */
export class PatientsPiiEncrypted1700000000190 implements MigrationInterface {
  name = 'PatientsPiiEncrypted1700000000190';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patients ADD COLUMN pii bytea, ADD COLUMN pii_key_id text`);
    const rows: Array<{
      patient_ref: string;
      full_name: string;
      birth_date: string;
      sex: string;
      address: string | null;
      citizen_id: string | null;
    }> = await q.query(`SELECT patient_ref, full_name, birth_date, sex, address, citizen_id FROM patients`);
    if (rows.length) {
      const cipher = piiCipherFromEnv();
      for (const r of rows) {
        const pii = {
          fullName: r.full_name,
          birthDate: r.birth_date,
          sex: r.sex,
          address: r.address,
          citizenId: r.citizen_id,
        };
        await q.query(`UPDATE patients SET pii = $2, pii_key_id = $3 WHERE patient_ref = $1`, [
          r.patient_ref,
          cipher.encrypt(pii, r.patient_ref),
          cipher.keyId,
        ]);
      }
    }
    await q.query(
      `ALTER TABLE patients DROP COLUMN full_name, DROP COLUMN birth_date, DROP COLUMN sex, DROP COLUMN address, DROP COLUMN citizen_id`,
    );
    await q.query(`ALTER TABLE patients ALTER COLUMN pii SET NOT NULL, ALTER COLUMN pii_key_id SET NOT NULL`);
    // Re-encryption after a key rotation finds the rows still on an old key through this index.
    await q.query(`CREATE INDEX patients_pii_key_id ON patients (pii_key_id)`);
  }
  async down(): Promise<void> {
    throw new Error('irreversible: plaintext personal data is not restored');
  }
}
