import type { DataSource } from 'typeorm';
import { AUDIT_GENESIS_HASH, AuditEntry, AuditRow, auditHash, ChainVerdict, verifyChain } from './chain';

/** Serialises appends so that each row links to the one before (one chain per database). */
const CHAIN_LOCK = 0x617564; // 'aud'

interface DbRow {
  seq: string;
  at: Date;
  actor: string;
  role: string;
  category: string;
  action: string;
  resource: string;
  facility: string | null;
  outcome: string;
  prev_hash: string;
  hash: string;
}

const toRow = (r: DbRow): AuditRow => ({
  seq: Number(r.seq),
  at: r.at.toISOString(),
  actor: r.actor,
  role: r.role,
  category: r.category,
  action: r.action,
  resource: r.resource,
  facility: r.facility,
  outcome: r.outcome,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class AuditLog {
  constructor(private readonly ds: DataSource) {}

  /** Appends one entry and returns its row; the caller awaits it before serving the request. */
  async append(entry: AuditEntry): Promise<AuditRow> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [CHAIN_LOCK]);
      const [last] = (await m.query(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)) as Array<{
        seq: string;
        hash: string;
      }>;
      const content = { ...entry, seq: last ? Number(last.seq) + 1 : 1, at: new Date().toISOString() };
      const prevHash = last?.hash ?? AUDIT_GENESIS_HASH;
      const hash = auditHash(prevHash, content);
      await m.query(
        `INSERT INTO audit_log (seq, at, actor, role, category, action, resource, facility, outcome, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
        [
          content.seq,
          content.at,
          entry.actor,
          entry.role,
          entry.category,
          entry.action,
          entry.resource,
          entry.facility,
          entry.outcome,
          prevHash,
          hash,
        ],
      );
      return { ...content, prevHash, hash };
    });
  }

  /** Reads the whole chain in pages and verifies it (operators run it; tests prove it catches tampering). */
  async verify(pageSize = 5000): Promise<ChainVerdict> {
    return verifyAuditTable((sql, params) => this.ds.query(sql, params), pageSize);
  }
}

export async function verifyAuditTable(
  query: (sql: string, params: unknown[]) => Promise<unknown[]>,
  pageSize = 5000,
): Promise<ChainVerdict> {
  const rows: AuditRow[] = [];
  for (let after = 0; ;) {
    const page = (await query(`SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      after,
      pageSize,
    ])) as DbRow[];
    rows.push(...page.map(toRow));
    if (page.length < pageSize) break;
    after = Number(page[page.length - 1]!.seq);
  }
  return verifyChain(rows);
}
