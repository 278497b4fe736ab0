import type { DataSource, EntityManager } from 'typeorm';

/** What the HSM produced for one document: the evidence the facility keeps of what it sent. */
export interface SignedDocumentRecord {
  readonly facilityCode: string;
  readonly maLk: string;
  readonly documentSha256: string;
  readonly certificateSha256: string;
  readonly keyId: string;
  readonly signedXml: string;
}

/** A claim is signed once per (facility, MA_LK, version). */
export interface ClaimKey {
  readonly facilityCode: string;
  readonly maLk: string;
  readonly version: number;
}

/** A check-in document (XML0) is signed once per (facility, MA_LK, sequence). */
export interface CheckinKey {
  readonly facilityCode: string;
  readonly maLk: string;
  readonly sequence: number;
}

/**
 * Owns the SQL on signed_claims and signed_checkins. The primary keys are the idempotency
 * check: a record of a document signed before inserts nothing and answers false.
 */
export class SignedDocumentStore {
  constructor(private readonly ds: DataSource) {}

  /** Records a signed claim in the caller's transaction; false when it was recorded before. */
  async recordClaim(
    m: EntityManager,
    key: ClaimKey,
    d: Omit<SignedDocumentRecord, 'facilityCode' | 'maLk'>,
  ): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO signed_claims (facility_code, ma_lk, version, document_sha256, certificate_sha256, key_id, signed_xml)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING RETURNING 1`,
      [key.facilityCode, key.maLk, key.version, d.documentSha256, d.certificateSha256, d.keyId, d.signedXml],
    );
    return inserted.length > 0;
  }

  /** Records a signed check-in in the caller's transaction; false when it was recorded before. */
  async recordCheckin(
    m: EntityManager,
    key: CheckinKey,
    d: Omit<SignedDocumentRecord, 'facilityCode' | 'maLk'>,
  ): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO signed_checkins (facility_code, ma_lk, sequence, document_sha256, certificate_sha256, key_id, signed_xml)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING RETURNING 1`,
      [key.facilityCode, key.maLk, key.sequence, d.documentSha256, d.certificateSha256, d.keyId, d.signedXml],
    );
    return inserted.length > 0;
  }

  async claimSignedBefore(key: ClaimKey): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM signed_claims WHERE facility_code = $1 AND ma_lk = $2 AND version = $3`,
      [key.facilityCode, key.maLk, key.version],
    );
    return rows.length > 0;
  }

  async checkinSignedBefore(key: CheckinKey): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM signed_checkins WHERE facility_code = $1 AND ma_lk = $2 AND sequence = $3`,
      [key.facilityCode, key.maLk, key.sequence],
    );
    return rows.length > 0;
  }
}
