import { closeEncounters, operator, setFaults, waitForClaims } from '../support/gateway';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(120_000);

interface ExactlyOnce {
  stuck: number;
  ambiguousSends: number;
  possibleDuplicates: Array<{ facility: string; maLk: string; version: number; sends: number }>;
}

/**
 * gateway-sync against the simulator in production mode: like the real gateway it has no lookup
 * and no result API. An answer lost after the gateway recorded the claim can only be resolved by
 * sending the same version again; each such duplicate is counted and listed, claims end at
 * SUBMITTED, and the portal's feedback brought in by an operator becomes claim.rejected.
 */
describe('gateway-sync against a gateway without lookup or results (production mode)', () => {
  let t: TestPlatform;
  let sim: string;
  const facilities = ['79001', '79002'];

  beforeAll(async () => {
    t = await startTestPlatform('e2e_gw_prod', 520, {
      GATEWAY_SIMULATOR_MODE: 'production',
      GATEWAY_TIMEOUT_MS: '1500',
      GATEWAY_RECONCILE_SETTLE_MS: '300',
      GATEWAY_BACKOFF_BASE_MS: '50',
      GATEWAY_BACKOFF_MAX_MS: '400',
      GATEWAY_LEASE_MS: '3000',
      GATEWAY_LEASE_SWEEP_MS: '500',
      GATEWAY_RESULT_POLL_MS: '500',
    });
    sim = t.platform.url('gatewaySimulator');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('re-sends the same version after a lost answer, lists every duplicate the gateway holds, and leaves claims SUBMITTED', async () => {
    await setFaults(t, {
      hangMs: 4000,
      script: [
        { route: 'submit', action: 'acceptThenDrop' },
        { route: 'submit', action: 'acceptThenHang' },
      ],
    });
    const claims = await closeEncounters(t, { facilities, count: 4, tag: 'GWP1' });
    await waitForClaims(t, claims);
    const rows = await waitFor('every claim recorded as submitted', async () => {
      const r = await t.query<{ ma_lk: string; status: string }>(
        'gatewaySync',
        `SELECT ma_lk, status FROM submissions WHERE kind = 'claim' AND ma_lk = ANY($1)`,
        [claims.map((c) => c.maLk)],
      );
      return r.length === claims.length && r.every((x) => x.status === 'SUBMITTED') ? r : undefined;
    });
    expect(rows).toHaveLength(4);
    // The simulator numbers its own records per MA_LK; a re-send of identical content is a record with duplicateOf.
    const received = (await simulatorSubmissions(sim)).filter(
      (s) => s.kind === 'record' && claims.some((c) => c.maLk === s.maLk),
    );
    const duplicated = received.filter((s) => s.duplicateOf).map((s) => `${s.facility}|${s.maLk}`);
    expect(duplicated).toHaveLength(2); // the two lost answers: no lookup, so the same version went again

    const { status, body } = await operator<ExactlyOnce>(t, '/v1/submissions/exactly-once');
    expect(status).toBe(200);
    expect(body.stuck).toBe(0);
    expect(body.ambiguousSends).toBeGreaterThanOrEqual(duplicated.length);
    const listed = new Set(body.possibleDuplicates.map((d) => `${d.facility}|${d.maLk}`));
    for (const k of duplicated) expect(listed.has(k)).toBe(true);

    // No result API: nothing moves past SUBMITTED by itself.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await t.query<{ status: string }>(
      'gatewaySync',
      `SELECT DISTINCT status FROM submissions WHERE kind = 'claim' AND ma_lk = ANY($1)`,
      [claims.map((c) => c.maLk)],
    );
    expect(after).toEqual([{ status: 'SUBMITTED' }]);
  });

  it("turns the portal's list of records in error into claim.rejected, so that a correction can follow", async () => {
    await setFaults(t, {});
    const [claim] = await closeEncounters(t, { facilities: ['79001'], count: 1, tag: 'GWP2' });
    await waitForClaims(t, [claim!]);
    await waitFor('the claim submitted', async () =>
      (
        await t.query<{ status: string }>('gatewaySync', `SELECT status FROM submissions WHERE ma_lk = $1`, [
          claim!.maLk,
        ])
      )[0]?.status === 'SUBMITTED'
        ? true
        : undefined,
    );
    const feedback = {
      records: [
        {
          maLk: claim!.maLk,
          errors: [
            { code: 'XML1_NGAY_RA', message: 'NGAY_RA không hợp lệ', table: 'XML1', field: 'NGAY_RA' },
          ],
        },
      ],
      processed: [{ maLk: 'NO-SUCH-LK', maGiaoDich: 'GD-NONE' }],
    };
    const res = await operator<{ results: Array<{ maLk: string; result: string }> }>(
      t,
      `/v1/claims/79001/portal-feedback`,
      { method: 'POST', body: JSON.stringify(feedback), headers: { 'content-type': 'application/json' } },
    );
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ maLk: claim!.maLk, result: 'rejected' }),
      expect.objectContaining({ maLk: 'NO-SUCH-LK', result: 'unknown' }),
    ]);
    const [row] = await t.query<{ status: string; last_code: string }>(
      'gatewaySync',
      `SELECT status, last_code FROM submissions WHERE ma_lk = $1`,
      [claim!.maLk],
    );
    expect(row).toEqual({ status: 'REJECTED', last_code: 'XML1_NGAY_RA' });
    // claim.rejected reached reporting with the portal's code.
    const fact = await waitFor('claim.rejected projected by reporting', async () => {
      const f = await t.query<{ reject_codes: string[] | null }>(
        'reporting',
        `SELECT reject_codes FROM claim_facts WHERE ma_lk = $1`,
        [claim!.maLk],
      );
      return f[0]?.reject_codes ? f[0] : undefined;
    });
    expect(fact.reject_codes).toEqual(['XML1_NGAY_RA']);
    // The same feedback again changes nothing.
    const again = await operator<{ results: Array<{ result: string }> }>(
      t,
      `/v1/claims/79001/portal-feedback`,
      {
        method: 'POST',
        body: JSON.stringify({ records: feedback.records }),
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(again.body.results).toEqual([expect.objectContaining({ result: 'already-decided' })]);
  });
});
