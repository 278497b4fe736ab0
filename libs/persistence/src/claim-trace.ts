import { context, Context } from '@opentelemetry/api';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { extractTraceContext, hasTraceContext, injectTraceHeaders } from '@bhyt/observability';

/**
 * The trace of a claim, kept where work on it resumes later from a table rather than from a
 * message: the encounter is closed by a separate ward-system request hours after intake, and
 * the gateway submission is started by the scheduler. Both continue the claim's trace (the
 * stored context is the parent; what triggered the work is a link), so that one MA_LK is one
 * trace from intake to submission. The first context seen for a claim wins.
 */
export class ClaimTraceContextMigration1700000009000 implements MigrationInterface {
  name = 'ClaimTraceContextMigration1700000009000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS claim_trace_context (
      facility_code text NOT NULL,
      ma_lk text NOT NULL,
      headers jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (facility_code, ma_lk)
    )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS claim_trace_context_created ON claim_trace_context (created_at)`,
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS claim_trace_context');
  }
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The active trace context as a jsonb parameter for a row of the caller's own table (a row that
 * will be picked up later, like a submission waiting for the scheduler), or null without one.
 */
export function traceHeadersToStore(ctx: Context = context.active()): string | null {
  const headers = injectTraceHeaders(ctx);
  return hasTraceContext(headers) ? JSON.stringify(headers) : null;
}

/** Stores the active trace context for the claim (inside the caller's transaction if given one). */
export async function rememberClaimTrace(
  q: Queryable,
  facilityCode: string,
  maLk: string,
  ctx: Context = context.active(),
): Promise<void> {
  const headers = traceHeadersToStore(ctx);
  if (headers === null) return;
  await q.query(
    `INSERT INTO claim_trace_context (facility_code, ma_lk, headers) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING`,
    [facilityCode, maLk, headers],
  );
}

/** The claim's stored trace context, or undefined (the caller then starts from the active context). */
export async function claimTraceContext(
  q: Queryable,
  facilityCode: string,
  maLk: string,
): Promise<Context | undefined> {
  const rows = (await q.query(
    `SELECT headers FROM claim_trace_context WHERE facility_code = $1 AND ma_lk = $2`,
    [facilityCode, maLk],
  )) as Array<{ headers: Record<string, string> }>;
  return storedTraceContext(rows[0]?.headers);
}

/** The context of stored trace headers (a `claim_trace_context.headers` value read in a larger query). */
export function storedTraceContext(headers: Record<string, string> | null | undefined): Context | undefined {
  return headers && hasTraceContext(headers) ? extractTraceContext(headers) : undefined;
}

/**
 * SQL for the stored trace headers of the claim whose table alias is `alias` (columns
 * facility_code, ma_lk): a correlated subquery, so that a query listing claims brings their
 * traces along instead of one lookup per claim.
 */
export const storedTraceHeadersSql = (alias: string, traceKeySql = `${alias}.ma_lk`): string =>
  `(SELECT t.headers FROM claim_trace_context t WHERE t.facility_code = ${alias}.facility_code AND t.ma_lk = ${traceKeySql})`;
