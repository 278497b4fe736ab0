import { listScenarios } from '@bhyt/xml130/testing';
import { wardEventsFromRecord } from '@bhyt/encounter-domain';
import { localDay, periodContaining, ReportDocument } from '@bhyt/reporting';
import { registrationFor } from '../../tools/platform/demo';
import { startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(180_000);

/**
 * Facility isolation against the running platform: every HTTP ingress needs a token, and a
 * token of facility A can neither read nor write facility B's data — registration, ward events,
 * close, encounter and health-book reads, and the gateway-sync operator API. Roles are held to
 * their lane (SRE never reaches patient data; provincial officers read their province only).
 */
describe('authentication and facility isolation', () => {
  let t: TestPlatform;
  let intake: string;
  let encounter: string;
  let ops: string;
  let reporting: string;
  const A = '79001';
  const B = '01001';
  let maLkA: string;
  let patientRefA: string;

  const register = (client: string, facility: string, requestId: string) => {
    const scenario = listScenarios()[0]!;
    const record = scenario.build({
      facilityCode: facility,
      maLk: 'PENDING',
      patientSeed: 4242,
      start: new Date(Date.now() - 3 * 3600_000),
    });
    return {
      record,
      res: t.fetchAs(client, `${intake}/v1/facilities/${facility}/visits`, {
        method: 'POST',
        body: JSON.stringify(registrationFor(record, 'CCCD', requestId)),
      }),
    };
  };

  beforeAll(async () => {
    t = await startTestPlatform('e2e_sec_iso', 900);
    intake = t.platform.url('intake');
    encounter = t.platform.url('encounter');
    ops = t.platform.url('gatewaySync');
    reporting = t.platform.url('reporting');
    const { record, res } = register(`ward-${A}`, A, 'sec-iso-a-1');
    const first = await res;
    if (first.status !== 201)
      throw new Error(`registration at A answered ${first.status}: ${await first.text()}`);
    const reg = (await first.json()) as { maLk: string; patientRef: string };
    maLkA = reg.maLk;
    patientRefA = reg.patientRef;
    record.maLk = maLkA;
    await waitFor(
      'encounter opened at A',
      async () =>
        (await t.fetchAs(`ward-${A}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}`)).status === 200
          ? true
          : undefined,
      60000,
      250,
    );
    for (const ev of wardEventsFromRecord(record)) {
      const { facilityCode: _f, maLk: _m, ...body } = ev;
      expect(
        (
          await t.fetchAs(`ward-${A}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}/events`, {
            method: 'POST',
            body: JSON.stringify(body),
          })
        ).status,
      ).toBe(202);
    }
    expect(
      (
        await t.fetchAs(`ward-${A}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}/close`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('refuses every API call without a valid token and keeps the probes open', async () => {
    expect(
      (
        await fetch(`${intake}/v1/facilities/${A}/visits`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${encounter}/v1/facilities/${A}/encounters/${maLkA}`)).status).toBe(401);
    expect((await fetch(`${ops}/v1/claims/summary`)).status).toBe(401);
    const token = await t.token(`ward-${A}`);
    const [h, p] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), facility: B }),
    ).toString('base64url');
    expect(
      (
        await fetch(`${encounter}/v1/facilities/${B}/encounters/x`, {
          headers: { authorization: `Bearer ${h}.${forged}.${token.split('.')[2]}` },
        })
      ).status,
    ).toBe(401);
    for (const url of [`${intake}/health/live`, `${encounter}/health/ready`, `${ops}/metrics`])
      expect((await fetch(url)).status).toBe(200);
  });

  it('issues tokens only against the right client secret', async () => {
    const res = await fetch(`${intake}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=ward-${A}&client_secret=wrong`,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('does not let facility B register a visit at facility A', async () => {
    const { res } = register(`ward-${B}`, A, 'sec-iso-b-into-a');
    expect((await res).status).toBe(403);
    expect(await t.query('intake', `SELECT 1 FROM visits WHERE request_id = 'sec-iso-b-into-a'`)).toEqual([]);
  });

  it('does not let facility B read, amend or close facility A’s encounter, even through its own path', async () => {
    expect((await t.fetchAs(`ward-${B}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}`)).status).toBe(
      403,
    );
    expect(
      (await t.fetchAs(`doctor-${B}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}`)).status,
    ).toBe(403);
    expect((await t.fetchAs(`ward-${B}`, `${encounter}/v1/facilities/${B}/encounters/${maLkA}`)).status).toBe(
      404,
    );
    const note = {
      eventId: '7b0f3f55-0c1f-4a43-9b1e-000000000001',
      type: 'NOTE',
      source: 'attacker',
      occurredAt: new Date().toISOString(),
      data: {},
    };
    expect(
      (
        await t.fetchAs(`ward-${B}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}/events`, {
          method: 'POST',
          body: JSON.stringify(note),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.fetchAs(`ward-${B}`, `${encounter}/v1/facilities/${A}/encounters/${maLkA}/close`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    ).toBe(403);
    const [row] = await t.query<{ status: string; version: number; n: number }>(
      'encounter',
      `SELECT status, version, (SELECT count(*)::int FROM ward_events w WHERE w.ma_lk = e.ma_lk AND w.source = 'attacker') AS n FROM encounters e WHERE ma_lk = $1`,
      [maLkA],
    );
    expect(row).toEqual({ status: 'CLOSED', version: 1, n: 0 });
  });

  it('does not let facility B read facility A’s health book entries', async () => {
    const url = (f: string) =>
      `${encounter}/v1/facilities/${f}/patients/${patientRefA}/health-book?purpose=TREATMENT`;
    expect((await t.fetchAs(`doctor-${B}`, url(A))).status).toBe(403);
    expect((await t.fetchAs('sre', url(A))).status).toBe(403);
  });

  it('scopes the gateway-sync operator API to the caller’s facility, province or SRE role', async () => {
    await waitFor(
      'the claim reaches gateway-sync',
      async () =>
        (await t.query('gatewaySync', `SELECT 1 FROM submissions WHERE ma_lk = $1`, [maLkA])).length
          ? true
          : undefined,
      90000,
    );
    expect((await t.fetchAs(`it-${B}`, `${ops}/v1/claims?facility=${A}`)).status).toBe(403);
    expect((await t.fetchAs(`it-${B}`, `${ops}/v1/claims`)).status).toBe(403);
    expect((await t.fetchAs(`it-${B}`, `${ops}/v1/claims/${A}/${maLkA}`)).status).toBe(403);
    expect(
      (await t.fetchAs(`it-${B}`, `${ops}/v1/claims/${A}/${maLkA}/1/redrive`, { method: 'POST' })).status,
    ).toBe(403);
    expect((await t.fetchAs(`ward-${A}`, `${ops}/v1/claims/${A}/${maLkA}`)).status).toBe(403);
    const own = await t.fetchAs(`it-${A}`, `${ops}/v1/claims/${A}/${maLkA}`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { maLk: string }).maLk).toBe(maLkA);
    expect((await t.fetchAs('province-79', `${ops}/v1/claims/${A}/${maLkA}`)).status).toBe(200);
    expect((await t.fetchAs('province-01', `${ops}/v1/claims/${A}/${maLkA}`)).status).toBe(403);
    expect(
      (await t.fetchAs('province-79', `${ops}/v1/claims/${A}/${maLkA}/1/redrive`, { method: 'POST' })).status,
    ).toBe(403);
    expect((await t.fetchAs('sre', `${ops}/v1/claims/summary`)).status).toBe(200);
    expect((await t.fetchAs(`it-${A}`, `${ops}/v1/claims/summary`)).status).toBe(403);
  });

  describe('reports addressed to the province', () => {
    const month = periodContaining('monthly', localDay(new Date()));
    const report = (client: string, query = '') =>
      t.fetchAs(client, `${reporting}/v1/reports/monthly/${month.key}${query}`);
    const rowFacilities = (doc: ReportDocument) =>
      doc.sheets
        .flatMap((s) => s.rows.map((r) => r['facility']))
        .filter((f): f is string => typeof f === 'string');
    const scopeKeys = (doc: ReportDocument) =>
      doc.scopes.map((s) =>
        s.scope === 'all' ? 'all' : 'facility' in s.scope ? s.scope.facility : `province ${s.scope.province}`,
      );

    beforeAll(async () => {
      // Generate the month once A's registration is projected, so that 79 has a figure to hide from 01.
      await waitFor(
        'reporting projects the registration at A',
        async () =>
          (await t.query('reporting', `SELECT 1 FROM registrations WHERE facility_code = $1`, [A])).length
            ? true
            : undefined,
        90000,
      );
      expect(
        (
          await t.fetchAs('sre', `${reporting}/v1/reports/monthly/${month.key}/regenerate`, {
            method: 'POST',
          })
        ).status,
      ).toBe(201);
    });

    it('gives the officer of Ho Chi Minh City the monthly report of its facilities and province total only', async () => {
      const res = await report('province-79');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { scope: unknown; document: ReportDocument };
      expect(body.scope).toEqual({ province: '79' });
      expect(scopeKeys(body.document)).toEqual(['79001', '79002', 'province 79']);
      expect(rowFacilities(body.document).every((f) => f.startsWith('79'))).toBe(true);
      expect(
        body.document.scopes.find(
          (s) => s.scope !== 'all' && 'facility' in s.scope && s.scope.facility === A,
        )!.figures.registrationsTotal,
      ).toBeGreaterThanOrEqual(1);
      const csv = await (await report('province-79', '?format=csv')).text();
      expect(csv).toContain(`${A},`);
      expect(csv).not.toContain(B);
      expect(csv).not.toContain('Tổng cộng');
      const xlsx = await report('province-79', '?format=xlsx');
      expect(xlsx.status).toBe(200);
      expect(
        Buffer.from(await xlsx.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
    });

    it('does not show the officer of Ha Noi any row or figure of Ho Chi Minh City', async () => {
      const body = (await (await report('province-01')).json()) as { document: ReportDocument };
      expect(scopeKeys(body.document)).toEqual([B, 'province 01']);
      expect(rowFacilities(body.document).every((f) => f.startsWith('01'))).toBe(true);
      expect(JSON.stringify(body.document)).not.toContain('79001');
      expect(body.document.scopes.every((s) => s.figures.registrationsTotal === 0)).toBe(true);
      const summary = (await (await t.fetchAs('province-01', `${reporting}/v1/reports/summary`)).json()) as {
        registrations: Array<{ facility_code: string }>;
      };
      expect(summary.registrations).toEqual([]);
      const own = (await (await t.fetchAs('province-79', `${reporting}/v1/reports/summary`)).json()) as {
        registrations: Array<{ facility_code: string }>;
      };
      expect(own.registrations.map((r) => r.facility_code)).toContain(A);
    });

    it('keeps the officer read-only and inside the province', async () => {
      const regenerate = await t.fetchAs(
        'province-79',
        `${reporting}/v1/reports/monthly/${month.key}/regenerate`,
        { method: 'POST' },
      );
      expect(regenerate.status).toBe(403);
      expect(await regenerate.json()).toMatchObject({ code: 'READ_ONLY' });
      const elsewhere = await report('province-79', `?facility=${B}`);
      expect(elsewhere.status).toBe(403);
      expect(await elsewhere.json()).toMatchObject({ code: 'FACILITY_FORBIDDEN' });
      expect((await t.fetchAs('province-79', `${reporting}/v1/reports/summary?facility=${B}`)).status).toBe(
        403,
      );
    });

    it('shows facility IT its own facility’s rows and nothing without naming it', async () => {
      const body = (await (await report(`it-${A}`, `?facility=${A}`)).json()) as { document: ReportDocument };
      expect(scopeKeys(body.document)).toEqual([A]);
      expect(new Set(rowFacilities(body.document))).toEqual(new Set([A]));
      expect((await report(`it-${A}`)).status).toBe(403);
      expect((await report(`it-${A}`, `?facility=79002`)).status).toBe(403);
    });
  });
});
