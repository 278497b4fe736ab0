import type { QueryRunner } from 'typeorm';

/**
 * Large text columns (signed documents, outbox payloads: 10–70 KB each) are compressed by
 * PostgreSQL on every insert. The default, pglz, costs several times lz4's CPU for a similar
 * ratio on XML and base64, and it ran on the hot path of every claim (see docs/benchmarks.md).
 * lz4 needs a server built with it (PostgreSQL ≥ 14, Debian/RHEL packages and the CloudNativePG
 * images are): on a server without it the columns keep pglz and nothing breaks.
 * Existing rows keep their compression; only new values use lz4.
 */
export async function useLz4Compression(
  q: QueryRunner,
  columns: Array<[table: string, column: string]>,
): Promise<void> {
  const rows: Array<{ lz4: boolean }> = await q.query(
    `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
  );
  if (!rows[0]?.lz4) return;
  for (const [table, column] of columns)
    await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION lz4`);
}

/** Back to the server default (pglz): for migrations' down(). */
export async function useDefaultCompression(
  q: QueryRunner,
  columns: Array<[table: string, column: string]>,
): Promise<void> {
  for (const [table, column] of columns)
    await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION DEFAULT`);
}
