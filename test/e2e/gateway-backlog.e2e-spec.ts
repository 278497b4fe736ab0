import { ClosedClaim, closeEncounters, operator, setFaults, waitForClaims } from '../support/gateway';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(120_000);

const HOUR = 3600_000;

/**
 * Deadlines under the draft 3-hour rule, a backlog built while the gateway is in maintenance,
 * and gateway-sync killed while the gateway is slow. Claims enter as encounter.closed (see
 * closeEncounters) and travel signer → gateway-sync → gateway; the simulator's own record of
 * what it received is the judge.
 */
describe('gateway-sync deadlines, backlog and crash', () => {
  let t: TestPlatform;
  let sim: string;
  const CONCURRENCY = 2;

  beforeAll(async () => {
    t = await startTestPlatform('e2e_gw_backlog', 510, {
      GATEWAY_WINDOW_HOURS: '3',
      GATEWAY_CONCURRENCY: String(CONCURRENCY),
      GATEWAY_CONCURRENCY_PER_FACILITY: String(CONCURRENCY),
      GATEWAY_TIMEOUT_MS: '4000',
      GATEWAY_RECONCILE_SETTLE_MS: '3000',
      GATEWAY_BACKOFF_BASE_MS: '10',
      GATEWAY_BACKOFF_MAX_MS: '100',
      GATEWAY_CIRCUIT_THRESHOLD: '3',
      GATEWAY_CIRCUIT_OPEN_MS: '200',
    });
    sim = t.platform.url('gatewaySimulator');
  });

  afterAll(async () => {
    await t?.stop();
  });

  const rowsOf = (claims: ClosedClaim[]) =>
    t.query<{
      ma_lk: string;
      status: string;
      created_at: Date;
      encounter_end: Date;
      deadline: Date;
      at_risk_notified: boolean;
      missed_notified: boolean;
      ma_giao_dich: string | null;
    }>(
      'gatewaySync',
      `SELECT ma_lk, status, created_at, encounter_end, deadline, at_risk_notified, missed_notified, ma_giao_dich FROM submissions WHERE kind = 'claim' AND ma_lk = ANY($1)`,
      [claims.map((c) => c.maLk)],
    );

  it('drains a backlog earliest deadline first under a 3-hour window, and reports the missed deadlines', async () => {
    await setFaults(t, { maintenanceUntil: new Date(Date.now() + 10 * 60_000).toISOString() });
    // Ended 0.2 … 6.5 h ago, published in an order unrelated to the deadlines; none near the
    // at-risk (2.25 h) or missed (3 h) boundaries.
    const endedHoursAgo = [1.0, 6.5, 0.2, 4.0, 2.6, 5.2, 0.6, 3.5, 1.5, 2.8, 4.6, 0.9];
    const claims = await closeEncounters(t, {
      facilities: ['79001'],
      count: endedHoursAgo.length,
      tag: 'EDF',
      endedHoursAgo: (i) => endedHoursAgo[i]!,
    });
    await waitFor(
      'the whole backlog queued in gateway-sync',
      async () => ((await rowsOf(claims)).length === claims.length ? true : undefined),
      60000,
      250,
    );
    await setFaults(t, {}); // maintenance over
    const received = await waitForClaims(t, claims);

    // Earliest deadline first: with CONCURRENCY requests in flight, a claim can be overtaken by
    // at most CONCURRENCY - 1 claims with a later deadline.
    const rows = await rowsOf(claims);
    const deadline = new Map(rows.map((r) => [r.ma_lk, new Date(r.deadline).getTime()]));
    const order = (await simulatorSubmissions(sim))
      .filter((s) => deadline.has(s.maLk))
      .map((s) => deadline.get(s.maLk)!);
    expect(order).toHaveLength(claims.length);
    const overtakenBy = order.map((d, i) => order.slice(0, i).filter((earlier) => earlier > d).length);
    expect(Math.max(...overtakenBy)).toBeLessThan(CONCURRENCY);
    expect(received.filter((s) => s.version !== 1 || s.duplicateOf)).toEqual([]);

    // Deadlines come from the configured window.
    for (const r of rows)
      expect(new Date(r.deadline).getTime() - new Date(r.encounter_end).getTime()).toBe(3 * HOUR);
    // At risk after 0.75 of the window (2.25 h), missed after 3 h: judged at arrival, when the
    // claim was queued (a claim can arrive already late; it is reported then, not later).
    const expected = (r: (typeof rows)[number]) => {
      const age = new Date(r.created_at).getTime() - new Date(r.encounter_end).getTime();
      return { maLk: r.ma_lk, missed: age > 3 * HOUR, atRisk: age >= 2.25 * HOUR };
    };
    const states = rows.map((r) => ({
      maLk: r.ma_lk,
      missed: r.missed_notified,
      atRisk: r.at_risk_notified,
    }));
    expect(states).toEqual(rows.map(expected));
    expect(states.filter((s) => s.atRisk && !s.missed).length).toBeGreaterThan(0);
    const missed = states.filter((s) => s.missed).map((s) => s.maLk);
    expect(missed.length).toBeGreaterThan(0);
    const summary = (await operator<{ missed_reported: number; late: number }>(t, '/v1/claims/summary')).body;
    expect(summary.missed_reported).toBeGreaterThanOrEqual(missed.length);

    // Reporting sees every missed deadline (claim.deadline-missed) and none for the others.
    const facts = await waitFor('reporting projected the missed deadlines', async () => {
      const f = await t.query<{ ma_lk: string; missed_at: Date | null }>(
        'reporting',
        `SELECT ma_lk, missed_at FROM claim_facts WHERE ma_lk = ANY($1)`,
        [claims.map((c) => c.maLk)],
      );
      return f.filter((x) => x.missed_at).length === missed.length ? f : undefined;
    });
    expect(
      facts
        .filter((f) => f.missed_at)
        .map((f) => f.ma_lk)
        .sort(),
    ).toEqual([...missed].sort());
  });

  it('loses nothing and doubles nothing when gateway-sync is SIGKILLed while the gateway is slow', async () => {
    await setFaults(t, { routes: ['submit'], latency: { kind: 'fixed', ms: 2500 } });
    const claims = await closeEncounters(t, {
      facilities: ['79001', '79002'],
      count: 6,
      tag: 'KILL',
      endedHoursAgo: () => 1,
    });
    const inFlight = await waitFor(
      'submissions in flight at the slow gateway',
      async () => {
        const rows = (await rowsOf(claims)).filter((r) => r.status === 'IN_FLIGHT');
        return rows.length >= CONCURRENCY ? rows.map((r) => r.ma_lk) : undefined;
      },
      60000,
      50,
    );
    const gs = t.platform.get('gatewaySync');
    await gs.stop('SIGKILL');
    await setFaults(t, {});
    gs.start();
    await gs.waitReady();

    const received = await waitForClaims(t, claims);
    const perClaim = new Map<string, number>();
    for (const s of received) perClaim.set(s.maLk, (perClaim.get(s.maLk) ?? 0) + 1);
    expect([...perClaim.values()]).toEqual(Array(claims.length).fill(1));
    expect(received.filter((s) => s.duplicateOf)).toEqual([]);
    // The requests of the killed process reached the gateway; after the restart they were
    // reconciled (found there), not sent again, and carry the gateway's own transaction id.
    const rows = await waitFor('every claim recorded as submitted', async () => {
      const r = await rowsOf(claims);
      return r.every((x) => x.ma_giao_dich) ? r : undefined;
    });
    for (const maLk of inFlight) {
      expect(rows.find((r) => r.ma_lk === maLk)!.ma_giao_dich).toBe(
        received.find((s) => s.maLk === maLk)!.maGiaoDich,
      );
    }
  });
});
