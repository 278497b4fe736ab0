/*
 * The scheduler's take statement on PostgreSQL: due claims drained in batches of 16 by 1 or 3
 * "replicas", before issue 16 (two statements per tick, no leases, per-facility counts in memory)
 * and after (one statement for both lanes, leases, per-facility counts from live leases, one
 * version in flight per MA_LK). Each replica marks what it took as answered right away, so that
 * the figure is the database cost of the queue, not of the gateway.
 *
 *   bash scripts/with-node.sh node_modules/.bin/swc apps libs bench -d /tmp/takebench --config-file .swcrc --copy-files --quiet
 *   NODE_PATH=$PWD/node_modules DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     bash scripts/with-node.sh node /tmp/takebench/bench/submission-take.js [--claims 20000]
 */
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  ClaimTraceContextMigration1700000009000,
  databaseUrl,
  openDatabase,
  OutboxInboxMigration1700000000000,
  OutboxLz4Migration1700000000001,
} from '@bhyt/persistence';
import { GATEWAY_SYNC_MIGRATIONS } from '../apps/gateway-sync/src/migrations';
import { SubmissionStore } from '../apps/gateway-sync/src/submission.store';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLAIMS = arg('claims', 20000);
const lane = process.env['E2E_LANE'] ?? '0';

async function fresh(name: string, migrations: typeof GATEWAY_SYNC_MIGRATIONS): Promise<DataSource> {
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = `bhyt_bench_take_${name}_l${lane}`;
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
  const ds = await openDatabase({
    url,
    database: db,
    migrations: [
      OutboxInboxMigration1700000000000,
      OutboxLz4Migration1700000000001,
      ...migrations,
      ClaimTraceContextMigration1700000009000,
    ],
    applicationName: 'bench-take',
    poolSize: 8,
  });
  await ds.query(
    `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status)
     SELECT (ARRAY['79001','79002','48001','01001'])[1 + i % 4], 'claim', 'LK-' || i, 1, 'OUTPATIENT_VISIT', md5(i::text), repeat('A', 2000), now() - interval '1 hour', now() + (i || ' seconds')::interval, 'DUE'
     FROM generate_series(1, $1) i`,
    [CLAIMS],
  );
  await ds.query('ANALYZE submissions');
  return ds;
}

/** The take of main before issue 16, per lane (claims, then check-ins), with in-memory facility counts. */
async function takeBefore(ds: DataSource, kind: string, free: number): Promise<Array<{ id: string }>> {
  const r = await ds.query(
    `WITH candidates AS (
       SELECT id, facility_code, row_number() OVER (PARTITION BY facility_code ORDER BY deadline, id) AS rn
       FROM submissions WHERE kind = $4 AND status IN ('DUE', 'RECONCILE') AND next_attempt_at <= now() AND NOT (facility_code = ANY($2::text[]))
       ORDER BY deadline, id LIMIT $1 * 4)
     UPDATE submissions s SET status = CASE WHEN s.status = 'RECONCILE' THEN 'IN_FLIGHT_RECONCILE' ELSE 'IN_FLIGHT' END, attempts = s.attempts + 1, updated_at = now()
     WHERE s.id IN (SELECT c.id FROM candidates c JOIN submissions x ON x.id = c.id WHERE c.rn <= $3 - COALESCE(($5::jsonb ->> c.facility_code)::int, 0) ORDER BY x.deadline, x.id LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
     RETURNING s.*`,
    [free, [], 8, kind, '{}'],
  );
  return r[0] as Array<{ id: string }>;
}

async function drain(
  replicas: number,
  takeOnce: (replica: number) => Promise<string[]>,
  answer: (ids: string[], replica: number) => Promise<void>,
): Promise<{ seconds: number; takes: number }> {
  const started = process.hrtime.bigint();
  let takes = 0;
  await Promise.all(
    Array.from({ length: replicas }, async (_, r) => {
      for (;;) {
        const ids = await takeOnce(r);
        takes++;
        if (ids.length === 0) return;
        await answer(ids, r);
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, takes };
}

async function main(): Promise<void> {
  const rows: Array<{ variant: string; replicas: number; claims_per_s: number; ms_per_take: number }> = [];
  for (const replicas of [1, 3]) {
    const before = await fresh('before', GATEWAY_SYNC_MIGRATIONS.slice(0, 4));
    const b = await drain(
      replicas,
      async () =>
        [...(await takeBefore(before, 'claim', 16)), ...(await takeBefore(before, 'checkin', 2))].map((x) =>
          String(x.id),
        ),
      async (ids) =>
        void (await before.query(
          `UPDATE submissions SET status = 'SUBMITTED', signed_xml_b64 = NULL WHERE id = ANY($1::bigint[])`,
          [ids],
        )),
    );
    rows.push({
      variant: 'before (2 statements)',
      replicas,
      claims_per_s: Math.round(CLAIMS / b.seconds),
      ms_per_take: +((b.seconds * 1000 * replicas) / b.takes).toFixed(2),
    });
    await before.destroy();

    const after = await fresh('after', GATEWAY_SYNC_MIGRATIONS);
    const store = new SubmissionStore(after);
    const a = await drain(
      replicas,
      async (r) =>
        (
          await store.takeDue({
            owner: `r${r}`,
            leaseMs: 45000,
            claims: 16,
            checkins: 2,
            total: 18,
            perFacility: { claim: 8, checkin: 2 },
          })
        ).map((s) => s.id),
      async (ids, r) =>
        void (await after.query(
          `UPDATE submissions SET status = 'SUBMITTED', lease_owner = NULL, lease_until = NULL, signed_xml_b64 = NULL WHERE id = ANY($1::bigint[]) AND lease_owner = $2`,
          [ids, `r${r}`],
        )),
    );
    rows.push({
      variant: 'after (1 statement, leases)',
      replicas,
      claims_per_s: Math.round(CLAIMS / a.seconds),
      ms_per_take: +((a.seconds * 1000 * replicas) / a.takes).toFixed(2),
    });
    await after.destroy();
  }
  console.table(rows);
  console.log(JSON.stringify({ bench: 'submission-take', claims: CLAIMS, rows }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
