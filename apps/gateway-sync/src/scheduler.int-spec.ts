import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { GatewayClient, GatewayOutcome, SubmitRequest } from '@bhyt/gateway-client';
import {
  ClaimTraceContextMigration1700000009000,
  databaseUrl,
  GroupCommit,
  openDatabase,
  OutboxInboxMigration1700000000000,
  OutboxLz4Migration1700000000001,
} from '@bhyt/persistence';
import { loadGatewaySyncConfig } from './config';
import { GATEWAY_SYNC_MIGRATIONS } from './migrations';
import { SubmissionScheduler } from './scheduler';
import { SubmissionStore } from './submission.store';

/**
 * Three scheduler replicas on one real PostgreSQL, against a gateway without a lookup (a fake
 * that records every send): every claim is sent once while they all run; when one replica
 * vanishes mid-call, its attempts are recovered by the others only after its lease expired,
 * re-sent, and each re-send is listed as a possible duplicate.
 */
jest.setTimeout(60_000);

const DB = `bhyt_gateway_sync_int_sched_l${process.env['E2E_LANE'] ?? '0'}`;
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('scheduler replicas sharing one PostgreSQL', () => {
  let ds: DataSource;
  let store: SubmissionStore;
  const config = loadGatewaySyncConfig({
    GATEWAY_URL: 'http://gateway.test',
    DATABASE_URL: 'postgres://u@127.0.0.1:5432/x',
    KAFKA_BROKERS: '127.0.0.1:9092',
    FACILITY_REGISTRY_FILE: 'config/facilities.dev.json',
    GATEWAY_LEASE_MS: '900',
    GATEWAY_LEASE_SWEEP_MS: '100',
    GATEWAY_RECONCILE_SETTLE_MS: '0',
    GATEWAY_BACKOFF_BASE_MS: '10',
  });

  /** A gateway that records every send by MA_LK; `hang` sends never answer. */
  function gateway(sends: string[], hang = false): GatewayClient {
    let n = 0;
    const submitClaim = async (r: SubmitRequest): Promise<GatewayOutcome> => {
      sends.push(Buffer.from(r.signedXml as Buffer).toString('utf8'));
      if (hang) return new Promise<GatewayOutcome>(() => undefined);
      return {
        kind: 'accepted',
        maGiaoDich: `GD-${++n}-${Math.random()}`,
        thoiGianTiepNhan: '20261125160000',
      };
    };
    return { submitClaim, submitCheckin: submitClaim, canReconcile: false } as unknown as GatewayClient;
  }

  const replica = (owner: string, client: GatewayClient) =>
    new SubmissionScheduler({ store, tx: new GroupCommit(ds).run, logger, client, config, owner });

  async function claims(n: number, tag: string): Promise<void> {
    const end = new Date(Date.now() - 3600_000);
    for (let i = 0; i < n; i++) {
      await store.transaction((m) =>
        store.recordClaimDue(m, {
          facilityCode: ['79001', '79002', '48001'][i % 3]!,
          maLk: `${tag}-${i}`,
          version: 1,
          careType: 'OUTPATIENT_VISIT',
          documentSha256: 'ab'.repeat(32),
          signedXmlB64: Buffer.from(`${tag}-${i}`).toString('base64'),
          encounterEnd: end,
          deadline: new Date(end.getTime() + 86_400_000),
          atRiskNotified: false,
          missedNotified: false,
          traceHeaders: null,
        }),
      );
    }
  }

  const submitted = async (tag: string) =>
    (
      (await ds.query(
        `SELECT count(*)::int AS n FROM submissions WHERE ma_lk LIKE $1 AND status = 'SUBMITTED'`,
        [`${tag}-%`],
      )) as Array<{ n: number }>
    )[0]!.n;
  async function until(what: string, done: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    const url = process.env['DATABASE_URL'];
    if (!url)
      throw new Error(
        'integration tests need the local stack: run them through `npm test` (it exports DATABASE_URL)',
      );
    const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
    ds = await openDatabase({
      url,
      database: DB,
      migrations: [
        OutboxInboxMigration1700000000000,
        OutboxLz4Migration1700000000001,
        ...GATEWAY_SYNC_MIGRATIONS,
        ClaimTraceContextMigration1700000009000,
      ],
      applicationName: 'gateway-sync-int-sched',
      poolSize: 5,
    });
    store = new SubmissionStore(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('sends every claim once while three replicas take from one queue', async () => {
    const sends: string[] = [];
    await claims(150, 'ALL');
    const replicas = ['a', 'b', 'c'].map((o) => replica(o, gateway(sends)));
    for (const r of replicas) r.start();
    await until('all submitted', async () => (await submitted('ALL')) === 150);
    await Promise.all(replicas.map((r) => r.stop()));
    expect(sends).toHaveLength(150);
    expect(new Set(sends).size).toBe(150);
    expect(
      (await store.exactlyOnce('claim', 600_000)).possibleDuplicates.filter((d) => d.maLk.startsWith('ALL-')),
    ).toEqual([]);
  });

  it("recovers a vanished replica's attempts only after its lease, re-sends them, and lists each as a possible duplicate", async () => {
    const lost: string[] = [];
    const sends: string[] = [];
    await claims(4, 'GONE');
    // Replica "gone" takes everything and never answers (a SIGKILL, a partition): its lease is
    // neither renewed (it is never stopped, its loop is left behind) nor released.
    const gone = replica('gone', gateway(lost, true));
    await gone.dispatch();
    expect(lost).toHaveLength(4);
    const live = replica('live', gateway(sends));
    await live.dispatch(); // its lease is still valid: nothing to take
    expect(sends).toHaveLength(0);
    live.start();
    await until('re-sent after the lease', async () => (await submitted('GONE')) === 4);
    await live.stop();
    expect(new Set(sends).size).toBe(4);
    const report = await store.exactlyOnce('claim', 600_000);
    expect(report.stuck).toBe(0);
    expect(report.possibleDuplicates.filter((d) => d.maLk.startsWith('GONE-')).map((d) => d.sends)).toEqual([
      2, 2, 2, 2,
    ]);
    expect(report.ambiguousSends).toBeGreaterThanOrEqual(4);
  });
});
