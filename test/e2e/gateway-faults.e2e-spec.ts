import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckinReady, Topics } from '@bhyt/contracts';
import { buildCheckinDocument } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import {
  ClosedClaim,
  closeEncounters,
  gatewaySyncLog,
  operator,
  publish,
  setFaults,
  simulatorStats,
  waitForClaims,
} from '../support/gateway';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(120_000);

interface Attempt {
  kind: string;
  version: number;
  attempt: number;
  outcome: string;
  code: string | null;
  detail: string | null;
  ma_giao_dich: string | null;
}
interface History {
  facilityCode: string;
  maLk: string;
  versions: Array<{
    kind: string;
    version: number;
    status: string;
    last_code: string | null;
    last_error: string | null;
    ma_giao_dich: string | null;
  }>;
  attempts: Attempt[];
}

/**
 * The gateway misbehaves the way users of other integration engines report it: tokens expire
 * mid-run, 5xx bursts, answers lost after the gateway accepted, rate limits, permanent
 * rejections. Every claim still reaches the gateway exactly once (the simulator's own record
 * decides), and what needs a person is visible and re-drivable in the operator API.
 * Claims enter as encounter.closed (see closeEncounters) and travel signer → gateway-sync → gateway.
 */
describe('gateway-sync against a misbehaving gateway', () => {
  let t: TestPlatform;
  let sim: string;
  const facilities = ['79001', '79002'];

  beforeAll(async () => {
    t = await startTestPlatform('e2e_gw_faults', 500, {
      GATEWAY_TIMEOUT_MS: '1500',
      GATEWAY_RECONCILE_SETTLE_MS: '300',
      GATEWAY_BACKOFF_BASE_MS: '50',
      GATEWAY_BACKOFF_MAX_MS: '400',
      GATEWAY_CIRCUIT_THRESHOLD: '4',
      GATEWAY_CIRCUIT_OPEN_MS: '1000',
      GATEWAY_RESULT_POLL_MS: '500',
    });
    sim = t.platform.url('gatewaySimulator');
  });

  afterAll(async () => {
    await t?.stop();
  });

  let batch = 0;
  const close = (count: number): Promise<ClosedClaim[]> =>
    closeEncounters(t, { facilities, count, tag: `GWF${++batch}` });

  /** Each claim exactly once at the simulator: one record per (facility, MA_LK), version 1, no duplicate content. */
  const expectExactlyOnce = (
    received: Array<{ facility: string; maLk: string; version: number; duplicateOf?: string | null }>,
    claims: ClosedClaim[],
  ) => {
    const perClaim = new Map<string, number>();
    for (const s of received)
      perClaim.set(`${s.facility}|${s.maLk}`, (perClaim.get(`${s.facility}|${s.maLk}`) ?? 0) + 1);
    expect([...perClaim.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(perClaim.size).toBe(claims.length);
    expect(received.filter((s) => s.version !== 1 || s.duplicateOf)).toEqual([]);
  };

  const history = async (c: { facilityCode: string; maLk: string }): Promise<History> =>
    (await operator<History>(t, `/v1/claims/${c.facilityCode}/${encodeURIComponent(c.maLk)}`)).body;

  it('logs in again, once per account, when the gateway expires tokens mid-run, and still sends every claim once', async () => {
    await waitForClaims(t, await close(2)); // both accounts hold a cached token now
    const before = await simulatorStats(t);
    await fetch(`${sim}/admin/tokens/expire`, { method: 'POST' }); // early expiry the client cannot know of
    const claims = await close(6);
    const received = await waitForClaims(t, claims);
    expectExactlyOnce(received, claims);
    expect((await simulatorStats(t)).logins - before.logins).toBe(facilities.length);
    const outcomes = (await Promise.all(claims.map(history))).flatMap((h) =>
      h.attempts.map((a) => a.outcome),
    );
    expect(outcomes.filter((o) => o !== 'accepted')).toEqual([]); // the re-login stays inside the client
  });

  it('opens the circuit during a burst of 5xx answers, recovers, and sends every claim once', async () => {
    await setFaults(t, { routes: ['submit'], probabilities: { http5xx: 1 } });
    const claims = await close(4);
    const open = await waitFor(
      'the circuit to open',
      async () => {
        const s = (await operator<{ circuit: string; circuitOpened: number }>(t, '/v1/claims/summary')).body;
        return s.circuitOpened > 0 ? s : undefined;
      },
      30000,
      100,
    );
    expect(open.circuit).not.toBe('closed');
    await setFaults(t, {});
    const received = await waitForClaims(t, claims);
    expectExactlyOnce(received, claims);
    const attempts = (await Promise.all(claims.map(history))).flatMap((h) => h.attempts);
    expect(
      attempts.filter((a) => a.outcome === 'retryable' && a.code === 'HTTP_502').length,
    ).toBeGreaterThanOrEqual(4);
    // No retry storm: while the circuit was open only single probes went out.
    expect(attempts.filter((a) => a.code === 'HTTP_502').length).toBeLessThan(40);
    await waitFor(
      'the circuit to close',
      async () =>
        (await operator<{ circuit: string }>(t, '/v1/claims/summary')).body.circuit === 'closed'
          ? true
          : undefined,
      10000,
      100,
    );
  });

  it('reconciles after the gateway accepted but the answer was lost or timed out, without a duplicate', async () => {
    const before = await simulatorStats(t);
    await setFaults(t, {
      hangMs: 4000,
      script: [
        { route: 'submit', action: 'acceptThenDrop' },
        { route: 'submit', action: 'acceptThenHang' },
      ],
    });
    const claims = await close(3);
    const received = await waitForClaims(t, claims);
    expectExactlyOnce(received, claims);
    const after = await simulatorStats(t);
    expect(after.droppedResponses - before.droppedResponses).toBe(2);
    expect(after.duplicates).toBe(before.duplicates);
    // The timed-out attempt is recorded once the client gives up; wait until every claim settled.
    const histories = await waitFor('every claim recorded as submitted', async () => {
      const hs = await Promise.all(claims.map(history));
      return hs.every((h) => h.versions[0]?.ma_giao_dich) ? hs : undefined;
    });
    const ambiguous = histories.filter((h) => h.attempts.some((a) => a.outcome === 'ambiguous'));
    expect(ambiguous).toHaveLength(2);
    for (const h of ambiguous) {
      // The reconciled attempt adopts the gateway's own transaction id: the one record it holds.
      const rec = received.find((s) => s.facility === h.facilityCode && s.maLk === h.maLk)!;
      expect(h.versions[0]!.ma_giao_dich).toBe(rec.maGiaoDich);
      expect(h.attempts.map((a) => a.outcome)).toEqual(['ambiguous', 'accepted']);
    }
  });

  it('backs off under rate limiting and sends every claim once', async () => {
    await setFaults(t, {
      script: [{ route: 'submit', action: 'rateLimit' }],
      rateLimit: { maxRequests: 1, windowMs: 1000 },
    });
    const claims = await close(5);
    const received = await waitForClaims(t, claims);
    await setFaults(t, {});
    expectExactlyOnce(received, claims);
    const attempts = (await Promise.all(claims.map(history))).flatMap((h) => h.attempts);
    expect(attempts.filter((a) => a.code === 'HTTP_429').length).toBeGreaterThanOrEqual(1);
    expect(attempts.filter((a) => a.outcome === 'accepted')).toHaveLength(claims.length);
  });

  it('shows permanent rejections and needs-operator outcomes with the reason, and re-drives them once, audited', async () => {
    await setFaults(t, {
      script: [
        { route: 'submit', action: 'business205' },
        { route: 'submit', action: 'business403' },
      ],
    });
    const claims = await close(2);
    const rejected = await waitFor('a claim rejected by the gateway', async () => {
      const r = await operator<{
        claims: Array<{
          facility_code: string;
          ma_lk: string;
          version: number;
          last_code: string;
          last_error: string;
        }>;
      }>(t, '/v1/claims?status=REJECTED');
      return r.body.claims.find((c) => claims.some((d) => d.maLk === c.ma_lk));
    });
    const stuck = await waitFor('a claim waiting for an operator', async () => {
      const r = await operator<{
        claims: Array<{ facility_code: string; ma_lk: string; version: number; last_code: string }>;
      }>(t, '/v1/claims?status=NEEDS_OPERATOR');
      return r.body.claims.find((c) => claims.some((d) => d.maLk === c.ma_lk));
    });
    expect(rejected).toMatchObject({
      last_code: '205',
      last_error: expect.stringContaining('Sai định dạng'),
    });
    expect(stuck).toMatchObject({ last_code: '403' });
    const rejectedHistory = await history({ facilityCode: rejected.facility_code, maLk: rejected.ma_lk });
    expect(rejectedHistory.attempts).toEqual([
      expect.objectContaining({
        outcome: 'permanent',
        code: '205',
        detail: expect.stringContaining('Sai định dạng'),
      }),
    ]);
    // Nothing was recorded at the gateway for either claim.
    expect(
      (await simulatorSubmissions(sim)).filter((s) => [rejected.ma_lk, stuck.ma_lk].includes(s.maLk)),
    ).toEqual([]);

    for (const c of [rejected, stuck]) {
      const res = await operator(
        t,
        `/v1/claims/${c.facility_code}/${encodeURIComponent(c.ma_lk)}/${c.version}/redrive`,
        { method: 'POST' },
      );
      expect(res.status).toBe(202);
    }
    const received = await waitForClaims(t, claims);
    expectExactlyOnce(received, claims);
    const again = await operator(
      t,
      `/v1/claims/${rejected.facility_code}/${encodeURIComponent(rejected.ma_lk)}/${rejected.version}/redrive`,
      { method: 'POST' },
    );
    expect(again.status).toBe(409);
    const redriven = await history({ facilityCode: stuck.facility_code, maLk: stuck.ma_lk });
    expect(redriven.attempts.map((a) => a.outcome)).toEqual([
      'needs-operator',
      'operator-redrive',
      'accepted',
    ]);
    const audit = readFileSync(gatewaySyncLog(t), 'utf8')
      .split('\n')
      .filter(
        (l) => l.includes('"action":"redrive"') && claims.some((c) => l.includes(`"maLk":"${c.maLk}"`)),
      );
    expect(audit).toHaveLength(2);
    expect(audit.every((l) => l.includes('"audit":true'))).toBe(true);
  });

  it('signs a check-in (XML0) and submits it once, a document that xmlsec1 verifies', async () => {
    const scenario = listScenarios()[0]!;
    const maLk = `CHECKIN-E2E-${Date.now()}`;
    const record = scenario.build({ facilityCode: '79001', maLk, patientSeed: 4242 });
    const payload: CheckinReady = {
      facilityCode: '79001',
      maLk,
      sequence: 1,
      careType: scenario.careType,
      xml: buildCheckinDocument(record),
      firstBillableAt: new Date().toISOString(),
    };
    const eventId = await publish(t, Topics.checkinReady.name, '79001', maLk, payload);
    await publish(t, Topics.checkinReady.name, '79001', maLk, payload, eventId); // redelivery
    await publish(t, Topics.checkinReady.name, '79001', maLk, payload); // the same check-in announced twice
    const checkin = await waitFor(
      'the check-in at the simulator',
      async () => (await simulatorSubmissions(sim)).find((s) => s.kind === 'checkin' && s.maLk === maLk),
      60000,
      250,
    );
    const row = await waitFor('gateway-sync recorded the check-in as submitted', async () => {
      const rows = await t.query<{ status: string; ma_giao_dich: string | null }>(
        'gatewaySync',
        `SELECT status, ma_giao_dich FROM submissions WHERE kind = 'checkin' AND ma_lk = $1`,
        [maLk],
      );
      return rows[0]?.ma_giao_dich ? rows : undefined;
    });
    expect(row).toEqual([expect.objectContaining({ ma_giao_dich: checkin.maGiaoDich })]);
    expect(await t.query('signer', `SELECT sequence FROM signed_checkins WHERE ma_lk = $1`, [maLk])).toEqual([
      { sequence: 1 },
    ]);
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would have been sent by now
    expect((await simulatorSubmissions(sim)).filter((s) => s.maLk === maLk)).toHaveLength(1);

    const raw = Buffer.from(
      await (
        await fetch(`${sim}/admin/submissions/${encodeURIComponent(checkin.maGiaoDich)}/raw`)
      ).arrayBuffer(),
    );
    expect(raw.toString('utf8')).toContain('<Signature');
    const dir = mkdtempSync(join(tmpdir(), 'e2e-xml0-'));
    const file = join(dir, 'xml0.xml');
    writeFileSync(file, raw);
    const cert = join(process.env['STATE_DIR'] ?? '.state', 'certs', '79001.pem');
    expect(existsSync(cert)).toBe(true);
    execFileSync(
      'xmlsec1',
      ['--verify', '--enabled-reference-uris', 'empty', '--pubkey-cert-pem', cert, file],
      { stdio: 'pipe' },
    );
    writeFileSync(
      join(dir, 'tampered.xml'),
      raw.toString('utf8').replace(`<MA_LK>${maLk}</MA_LK>`, `<MA_LK>${maLk}X</MA_LK>`),
    );
    expect(() =>
      execFileSync(
        'xmlsec1',
        [
          '--verify',
          '--enabled-reference-uris',
          'empty',
          '--pubkey-cert-pem',
          cert,
          join(dir, 'tampered.xml'),
        ],
        { stdio: 'pipe' },
      ),
    ).toThrow();
  });
});
