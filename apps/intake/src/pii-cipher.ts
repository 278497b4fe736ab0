import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readSecret } from '@bhyt/config';

/**
 * Personal data of the patients table, encrypted at rest with AES-256-GCM. One ciphertext per
 * patient holds all personal fields (name, birth date, sex, address, citizen ID) so that no
 * column leaks anything by itself; lookups never decrypt — they go through the HMAC identifier
 * hashes of patient_identifiers.
 *
 * Format: 0x01 | len(kid) | kid | 12-byte IV | 16-byte tag | ciphertext. The patient_ref is the
 * additional authenticated data: a ciphertext copied onto another patient's row does not decrypt.
 *
 * Keys: PII_DATA_KEY(_FILE) = the current 32-byte key (64 hex), PII_DATA_KEY_ID its id;
 * PII_DATA_KEYS_PREVIOUS(_FILE) = `kid:hex,kid:hex` still accepted for decryption during a
 * rotation (docs/security.md: new key → re-encrypt → drop the old one).
 */
export interface PatientPii {
  fullName: string;
  birthDate: string;
  sex: string;
  address: string | null;
  citizenId: string | null;
}

const VERSION = 1;

function parseKey(hex: string, what: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${what} must be 32 bytes as 64 hex characters`);
  return Buffer.from(hex, 'hex');
}

export class PiiCipher {
  constructor(
    private readonly currentKid: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {
    if (!keys.has(currentKid)) throw new Error('the current PII key is not in the key ring');
    if (!/^[A-Za-z0-9._-]{1,40}$/.test(currentKid))
      throw new Error('PII_DATA_KEY_ID must be 1–40 characters [A-Za-z0-9._-]');
  }

  get keyId(): string {
    return this.currentKid;
  }

  encrypt(pii: PatientPii, patientRef: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKid)!, iv);
    cipher.setAAD(Buffer.from(patientRef, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(pii), 'utf8'), cipher.final()]);
    const kid = Buffer.from(this.currentKid, 'utf8');
    return Buffer.concat([Buffer.from([VERSION, kid.length]), kid, iv, cipher.getAuthTag(), body]);
  }

  /** Throws (without any plaintext in the message) when the key is unknown or the data was altered. */
  decrypt(blob: Buffer, patientRef: string): PatientPii {
    if (blob.length < 2 || blob[0] !== VERSION) throw new Error('unknown PII ciphertext format');
    const kidLen = blob[1]!;
    const kid = blob.subarray(2, 2 + kidLen).toString('utf8');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`PII key ${kid} is not configured`);
    const at = 2 + kidLen;
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(at, at + 12));
    decipher.setAAD(Buffer.from(patientRef, 'utf8'));
    decipher.setAuthTag(blob.subarray(at + 12, at + 28));
    return JSON.parse(
      Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]).toString('utf8'),
    ) as PatientPii;
  }

  /** The key id a ciphertext was made with (re-encryption after a rotation picks the old ones). */
  static keyIdOf(blob: Buffer): string {
    return blob.subarray(2, 2 + (blob[1] ?? 0)).toString('utf8');
  }
}

export function piiCipherFromEnv(env: NodeJS.ProcessEnv = process.env): PiiCipher {
  const current = readSecret('PII_DATA_KEY', env);
  if (!current)
    throw new Error(
      'intake: invalid configuration:\n  - PII_DATA_KEY (or PII_DATA_KEY_FILE) is required: 32 bytes as 64 hex characters',
    );
  const kid = env['PII_DATA_KEY_ID'] ?? 'k1';
  const keys = new Map<string, Buffer>([[kid, parseKey(current, 'PII_DATA_KEY')]]);
  for (const entry of (readSecret('PII_DATA_KEYS_PREVIOUS', env) ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const i = entry.indexOf(':');
    if (i <= 0) throw new Error('PII_DATA_KEYS_PREVIOUS must be kid:hex pairs separated by commas');
    keys.set(entry.slice(0, i), parseKey(entry.slice(i + 1), 'PII_DATA_KEYS_PREVIOUS'));
  }
  return new PiiCipher(kid, keys);
}
