/*
 * The machine's own limits, measured in the same run as the pipeline: Kafka's producer perf
 * tool (from the broker's own jars), a pgbench insert rate, the raw PKCS#11 sign rate and
 * `openssl speed rsa2048` (the last two reuse bench/sign-bench.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createKafka, deleteNamespaceTopics, ensureTopics } from '@bhyt/messaging';
import { databaseUrl } from '@bhyt/persistence';
import { FacilityKeyStore, loadHsmConfigFromEnv, Pkcs11Hsm } from '@bhyt/signing';
import { rate } from './sign-bench';

const ROOT = join(__dirname, '..', '..'); // dist/bench → repository root

export interface KafkaPerf {
  recordsPerS: number;
  mbPerS: number;
  avgLatencyMs: number;
}

/** Kafka's ProducerPerformance against a fresh bench topic (6 partitions, like the claim topics), acks=all. */
export async function kafkaProducerPerf(
  brokers: string,
  numRecords: number,
  recordSize: number,
): Promise<KafkaPerf> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bhyt-bench' });
  const ns = `bench-limit-${process.pid}.`;
  await ensureTopics(
    kafka,
    [{ name: 'producer-perf', partitions: 6, retentionMs: 3600_000, description: 'bench' }],
    ns,
  );
  try {
    const text = execFileSync(
      'bash',
      [
        join(ROOT, 'scripts/stack.sh'),
        'kafka-tool',
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        `${ns}producer-perf`,
        '--num-records',
        String(numRecords),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers.split(',')[0]}`,
        'acks=all',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 },
    );
    // Last summary line: "N records sent, R records/sec (M MB/sec), L ms avg latency, …"
    const lines = text
      .trim()
      .split('\n')
      .filter((l) => /records sent/.test(l));
    const m = /records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(
      lines[lines.length - 1] ?? '',
    );
    if (!m) throw new Error(`cannot parse ProducerPerformance output:\n${text.slice(-2000)}`);
    return { recordsPerS: Number(m[1]), mbPerS: Number(m[2]), avgLatencyMs: Number(m[3]) };
  } finally {
    await deleteNamespaceTopics(kafka, ns).catch(() => undefined);
  }
}

/**
 * pgbench: single-row INSERT transactions (each one a commit, like a consumer's per-message
 * transaction) of `rowBytes` rows into a fresh table, `clients` connections for `seconds`.
 * @returns committed transactions per second.
 */
export async function pgbenchInsertTps(
  url: string,
  rowBytes: number,
  clients: number,
  seconds: number,
): Promise<number> {
  const db = 'bhyt_bench_pgbench';
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const c = new Client({ connectionString: databaseUrl(url, db) });
  await c.connect();
  await c.query(
    `CREATE TABLE bench_insert (id bigserial PRIMARY KEY, k text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await c.end();
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgbench-'));
  try {
    const script = join(dir, 'insert.sql');
    // md5 of a random number, repeated: ~rowBytes of text per row, one row per transaction.
    writeFileSync(
      script,
      `INSERT INTO bench_insert (k, payload) VALUES (md5(random()::text), repeat(md5(random()::text), ${Math.max(1, Math.round(rowBytes / 32))}));\n`,
    );
    const u = new URL(databaseUrl(url, db));
    const text = execFileSync(
      'pgbench',
      [
        '-n',
        '-f',
        script,
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, 2)),
        '-T',
        String(seconds),
        '-h',
        u.hostname,
        '-p',
        u.port || '5432',
        '-U',
        decodeURIComponent(u.username || 'postgres'),
        db,
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) },
      },
    );
    const m = /tps = ([\d.]+)/.exec(text);
    if (!m) throw new Error(`cannot parse pgbench output:\n${text}`);
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const a = new Client({ connectionString: databaseUrl(url, 'postgres') });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await a.end();
  }
}

/** Raw PKCS#11 RSA-2048 signatures of a SignedInfo-sized input, all pool sessions busy. */
export async function pkcs11SignRate(
  seconds: number,
  facility = '79001',
): Promise<{ oneSession: number; pool: number; sessions: number }> {
  const cfg = loadHsmConfigFromEnv();
  const hsm = await Pkcs11Hsm.open(cfg);
  try {
    const signer = await new FacilityKeyStore(hsm).signerFor(facility);
    const input = Buffer.alloc(1100, 0x41);
    const oneSession = await rate(1, () => signer.sign(input), seconds);
    const pool = await rate(cfg.sessions, () => signer.sign(input), seconds);
    return { oneSession, pool, sessions: cfg.sessions };
  } finally {
    await hsm.close();
  }
}
