import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  ClaimTraceContextMigration1700000009000,
  databaseUrl,
  openDatabase,
  OutboxInboxMigration1700000000000,
  OutboxLz4Migration1700000000001,
} from '@bhyt/persistence';
import { nextSubmissionState } from '@bhyt/submission-policy';
import { GATEWAY_SYNC_MIGRATIONS } from './migrations';
import { SubmissionStore, type Submission, type TakeRequest } from './submission.store';

/**
 * The submission store against a real PostgreSQL, with the windows of issue 16 read as two
 * replicas (two owners) sharing one database.
 */
jest.setTimeout(60_000);

const DB = `bhyt_gateway_sync_int_store_l${process.env['E2E_LANE'] ?? '0'}`;
const policy = { backoff: { baseMs: 1000, maxMs: 300_000 }, settleMs: 0 };

describe('submission store in PostgreSQL', () => {
  let ds: DataSource;
  let store: SubmissionStore;
  const take = (owner: string, over: Partial<TakeRequest> = {}) =>
    store.takeDue({
      owner,
      leaseMs: 60_000,
      claims: 16,
      checkins: 2,
      total: 18,
      perFacility: { claim: 8, checkin: 2 },
      ...over,
    });

  async function claim(maLk: string, version = 1, facilityCode = '79001'): Promise<boolean> {
    const end = new Date(Date.now() - 3600_000);
    return (
      await store.transaction((m) =>
        store.recordClaimDue(m, {
          facilityCode,
          maLk,
          version,
          careType: 'OUTPATIENT_VISIT',
          documentSha256: 'ab'.repeat(32),
          signedXmlB64: 'PEEvPg==',
          encounterEnd: end,
          deadline: new Date(end.getTime() + 86_400_000),
          atRiskNotified: false,
          missedNotified: false,
          traceHeaders: null,
        }),
      )
    ).inserted;
  }
  const checkin = (maLk: string, sequence = 1) =>
    store.transaction((m) =>
      store.recordCheckinDue(m, {
        facilityCode: '79001',
        maLk,
        sequence,
        careType: 'OUTPATIENT_VISIT',
        documentSha256: 'cd'.repeat(32),
        signedXmlB64: 'PEEvPg==',
        firstBillableAt: new Date(),
        deadline: new Date(Date.now() + 86_400_000),
        traceHeaders: null,
      }),
    );
  const status = async (maLk: string, version = 1) =>
    (
      (await ds.query(
        `SELECT status, lease_owner, attempts, sends, ambiguous_sends FROM submissions WHERE ma_lk = $1 AND version = $2 AND kind = 'claim'`,
        [maLk, version],
      )) as Array<{
        status: string;
        lease_owner: string | null;
        attempts: number;
        sends: number;
        ambiguous_sends: number;
      }>
    )[0];
  const expireLeases = () =>
    ds.query(`UPDATE submissions SET lease_until = now() - interval '1 second' WHERE status = 'IN_FLIGHT'`);
  const answer = (s: Submission, owner: string, kind: 'accepted' | 'retryable') => {
    const t = nextSubmissionState(
      s.state,
      { type: 'answered', answer: kind, msToDeadline: 86_400_000, jitter: 0, msSinceSent: 0 },
      policy,
    );
    if (!t.ok) throw new Error(t.reason);
    return store.transaction((m) =>
      store.recordOutcome(
        m,
        { id: s.id, owner, attempt: s.state.attempts },
        {
          next: t.state,
          code: kind === 'accepted' ? '200' : '500',
          detail: null,
          ...(kind === 'accepted' ? { maGiaoDich: `GD-${owner}` } : { retryAfterMs: 0 }),
          dropDocument: kind === 'accepted',
          attempt: { startedAt: new Date(), outcome: kind },
        },
      ),
    );
  };

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
      applicationName: 'gateway-sync-int-store',
      poolSize: 4,
    });
    store = new SubmissionStore(ds);
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE submission_attempts, submissions, outbox`);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it("never recovers another live replica's attempt; recovers it as a send of unknown outcome once its lease expired", async () => {
    await claim('LK-LIVE');
    const [taken] = await take('replica-a');
    expect(taken?.state.status).toBe('IN_FLIGHT');
    expect(await store.recoverExpiredLeases(0)).toEqual({ recovered: 0, possibleDuplicates: 0 });
    expect(await status('LK-LIVE')).toMatchObject({ status: 'IN_FLIGHT', lease_owner: 'replica-a' });
    // The reply to the take was lost, or replica A died: nobody will finish it but the sweep.
    await expireLeases();
    expect(await store.recoverExpiredLeases(0)).toEqual({ recovered: 1, possibleDuplicates: 0 });
    expect(await status('LK-LIVE')).toMatchObject({
      status: 'SENT_UNKNOWN',
      lease_owner: null,
      sends: 1,
      ambiguous_sends: 1,
    });
  });

  it('stores nothing from a stale attempt whose row another replica has taken since', async () => {
    await claim('LK-STALE');
    const [a] = await take('replica-a');
    await expireLeases();
    await store.recoverExpiredLeases(0);
    const [b] = await take('replica-b');
    expect(b?.state.attempts).toBe(2);
    expect(await answer(a!, 'replica-a', 'accepted')).toBe(false);
    expect(await status('LK-STALE')).toMatchObject({ status: 'IN_FLIGHT', lease_owner: 'replica-b' });
    expect(await ds.query(`SELECT count(*)::int AS n FROM submission_attempts`)).toEqual([{ n: 0 }]);
    expect(await answer(b!, 'replica-b', 'accepted')).toBe(true);
    expect(await status('LK-STALE')).toMatchObject({ status: 'SUBMITTED', sends: 2, ambiguous_sends: 1 });
    expect(await store.exactlyOnce('claim', 600_000)).toEqual({
      stuck: 0,
      ambiguousSends: 1,
      possibleDuplicates: [{ facility: '79001', maLk: 'LK-STALE', version: 1, sends: 2 }],
    });
  });

  it('takes claims and check-ins in one statement, each row by one replica only', async () => {
    for (let i = 0; i < 30; i++) await claim(`LK-${i}`, 1, i % 2 ? '79001' : '01001');
    await checkin('LK-C1');
    const [a, b] = await Promise.all([
      take('replica-a', { perFacility: { claim: 30, checkin: 2 } }),
      take('replica-b', { perFacility: { claim: 30, checkin: 2 } }),
    ]);
    const ids = [...a, ...b].map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(31);
    expect([...a, ...b].filter((s) => s.kind === 'checkin')).toHaveLength(1);
  });

  it("counts a facility account's limit over every replica's live leases", async () => {
    for (let i = 0; i < 5; i++) await claim(`LK-F${i}`);
    expect(await take('replica-a', { perFacility: { claim: 2, checkin: 2 } })).toHaveLength(2);
    expect(await take('replica-b', { perFacility: { claim: 2, checkin: 2 } })).toHaveLength(0);
  });

  it("lets a facility at its limit take no place from another facility's due claims", async () => {
    for (let i = 0; i < 10; i++) await claim(`LK-BUSY${i}`, 1, '79001');
    await claim('LK-OTHER', 1, '01001');
    await ds.query(`UPDATE submissions SET deadline = deadline + interval '1 hour' WHERE ma_lk = 'LK-OTHER'`);
    expect(
      await take('replica-a', { claims: 2, total: 2, perFacility: { claim: 2, checkin: 2 } }),
    ).toHaveLength(2);
    // 79001 is full; its 8 earlier-deadline claims would otherwise fill the 2 × 4 candidate places.
    expect(
      (await take('replica-b', { claims: 2, total: 2, perFacility: { claim: 2, checkin: 2 } })).map(
        (s) => s.maLk,
      ),
    ).toEqual(['LK-OTHER']);
  });

  it('takes a single probe when asked for one', async () => {
    await claim('LK-P1');
    await claim('LK-P2');
    await checkin('LK-P3');
    const probe = await take('replica-a', { total: 1 });
    expect(probe.map((s) => s.kind)).toEqual(['claim']);
  });

  it('supersedes an older version not yet sent, and never sends an older version after a newer one', async () => {
    await claim('LK-V', 1);
    await claim('LK-V', 2);
    expect(await status('LK-V', 1)).toMatchObject({ status: 'SUPERSEDED' });
    // An older version delivered late is born superseded.
    await claim('LK-W', 3);
    await claim('LK-W', 2);
    expect(await status('LK-W', 2)).toMatchObject({ status: 'SUPERSEDED' });
    const taken = await take('replica-a');
    expect(taken.map((s) => `${s.maLk}/${s.version}`).sort()).toEqual(['LK-V/2', 'LK-W/3']);
  });

  it('keeps a newer version waiting while an older one is in flight, then supersedes the older if it must be retried', async () => {
    await claim('LK-X', 1);
    const [v1] = await take('replica-a');
    await claim('LK-X', 2);
    expect(await take('replica-b')).toHaveLength(0);
    expect(await answer(v1!, 'replica-a', 'retryable')).toBe(true);
    expect(await store.supersedeOlderVersions()).toBe(1);
    expect(await status('LK-X', 1)).toMatchObject({ status: 'SUPERSEDED' });
    expect((await take('replica-b')).map((s) => s.version)).toEqual([2]);
  });

  it('reports stuck rows: an expired lease, and a due row untaken past the bound', async () => {
    await claim('LK-S1');
    await claim('LK-S2');
    await take('replica-a', { total: 1 });
    await expireLeases();
    await ds.query(
      `UPDATE submissions SET next_attempt_at = now() - interval '20 minutes' WHERE status = 'DUE'`,
    );
    expect((await store.exactlyOnce('claim', 600_000)).stuck).toBe(2);
    expect((await store.exactlyOnce('claim', 3_600_000)).stuck).toBe(1);
  });

  it('refuses a status the state machine does not know', async () => {
    await claim('LK-BAD');
    await expect(ds.query(`UPDATE submissions SET status = 'RECONCILE'`)).rejects.toMatchObject({
      code: '23514',
    });
  });
});

describe('migration 1700000000404 on rows of the old model', () => {
  const OLD_DB = `bhyt_gateway_sync_int_mig_l${process.env['E2E_LANE'] ?? '0'}`;

  it('turns RECONCILE into SENT_UNKNOWN and leaves old IN_FLIGHT rows with an expired lease for the first sweep', async () => {
    const url = process.env['DATABASE_URL']!;
    const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${OLD_DB} WITH (FORCE)`);
    await admin.end();
    const base = [OutboxInboxMigration1700000000000, OutboxLz4Migration1700000000001];
    const old = await openDatabase({
      url,
      database: OLD_DB,
      migrations: [...base, ...GATEWAY_SYNC_MIGRATIONS.slice(0, 4)],
      applicationName: 'gateway-sync-int-mig',
      poolSize: 2,
    });
    for (const [i, status] of [
      'DUE',
      'RECONCILE',
      'IN_FLIGHT',
      'IN_FLIGHT_RECONCILE',
      'SUBMITTED',
    ].entries()) {
      await old.query(
        `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status, attempts)
         VALUES ('79001', 'claim', $1, 1, 'OUTPATIENT_VISIT', 'x', 'PEEvPg==', now(), now() + interval '1 day', $2, 1)`,
        [`LK-OLD-${i}`, status],
      );
    }
    await old.destroy();
    const ds = await openDatabase({
      url,
      database: OLD_DB,
      migrations: [...base, ...GATEWAY_SYNC_MIGRATIONS, ClaimTraceContextMigration1700000009000],
      applicationName: 'gateway-sync-int-mig',
      poolSize: 2,
    });
    try {
      const rows = (await ds.query(
        `SELECT ma_lk, status, outcome_unknown, sends FROM submissions ORDER BY ma_lk`,
      )) as Array<Record<string, unknown>>;
      expect(rows.map((r) => [r['ma_lk'], r['status'], r['outcome_unknown'], r['sends']])).toEqual([
        ['LK-OLD-0', 'DUE', false, 0],
        ['LK-OLD-1', 'SENT_UNKNOWN', true, 0],
        ['LK-OLD-2', 'IN_FLIGHT', false, 0],
        ['LK-OLD-3', 'IN_FLIGHT', true, 0],
        ['LK-OLD-4', 'SUBMITTED', false, 1],
      ]);
      expect(await new SubmissionStore(ds).recoverExpiredLeases(0)).toEqual({
        recovered: 2,
        possibleDuplicates: 0,
      });
    } finally {
      await ds.destroy();
    }
  });
});
