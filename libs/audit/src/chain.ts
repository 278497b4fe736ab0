import { createHash } from 'node:crypto';

/**
 * The audit log is a hash chain: each row carries the SHA-256 of the previous row's hash and
 * its own content, so that changing, removing or re-ordering any row breaks every hash after it.
 * Pure functions here; the table and its append-only trigger are in the migration.
 */
export interface AuditEntry {
  /** OAuth client id of the caller (never a person's name). */
  actor: string;
  role: string;
  /** patient-data, operator, report — the policy family of the route. */
  category: string;
  /** HTTP method and route pattern, e.g. `GET /v1/facilities/:facilityCode/encounters/:maLk`. */
  action: string;
  /** The path requested (facility codes and MA_LK only; no query string). */
  resource: string;
  facility: string | null;
  /** `allowed`, or `denied:<CODE>`. */
  outcome: string;
}

export interface AuditRow extends AuditEntry {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The exact bytes that are hashed: fixed field order, so the hash never depends on key order. */
export function canonicalContent(row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    row.seq,
    row.at,
    row.actor,
    row.role,
    row.category,
    row.action,
    row.resource,
    row.facility,
    row.outcome,
  ]);
}

export function auditHash(prevHash: string, row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(row)).digest('hex');
}

export type ChainVerdict =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; seq: number; problem: 'GAP' | 'PREVIOUS_HASH' | 'CONTENT_HASH' };

/** Checks rows in seq order from the first one: contiguous numbering, links and content hashes. */
export function verifyChain(rows: readonly AuditRow[]): ChainVerdict {
  let prev = AUDIT_GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) return { ok: false, rows: rows.length, seq: row.seq, problem: 'GAP' };
    if (row.prevHash !== prev)
      return { ok: false, rows: rows.length, seq: row.seq, problem: 'PREVIOUS_HASH' };
    const { prevHash: _p, hash: _h, ...content } = row;
    if (auditHash(prev, content) !== row.hash)
      return { ok: false, rows: rows.length, seq: row.seq, problem: 'CONTENT_HASH' };
    prev = row.hash;
    expectedSeq++;
  }
  return { ok: true, rows: rows.length, head: prev };
}
