import { allowedScope, authorize, Decision, handlerDecidesAccess, isOpenRoute, RequestFacts } from './policy';
import type { Principal } from './principal';

const ward79: Principal = { sub: 'ward-79001', role: 'ward-system', facility: '79001' };
const doctor01: Principal = { sub: 'doctor-01001', role: 'doctor', facility: '01001' };
const it79: Principal = { sub: 'it-79001', role: 'facility-it', facility: '79001' };
const officer79: Principal = { sub: 'province-79', role: 'provincial-officer', province: '79' };
const sre: Principal = { sub: 'sre', role: 'sre' };

const req = (
  method: string,
  path: string,
  params: Record<string, string> = {},
  query: Record<string, unknown> = {},
): RequestFacts => ({ method, path, params, query });
const visits = (f: string) => req('POST', `/v1/facilities/${f}/visits`, { facilityCode: f });
const encounter = (f: string, method = 'GET') =>
  req(method, `/v1/facilities/${f}/encounters/${f}_2025_01_0000001`, {
    facilityCode: f,
    maLk: `${f}_2025_01_0000001`,
  });

describe('access policy', () => {
  it('keeps probes, metrics, docs and the token endpoint open and nothing else', () => {
    expect(
      ['/health/live', '/health/ready', '/metrics', '/docs/openapi.json'].every((p) => isOpenRoute('GET', p)),
    ).toBe(true);
    expect(isOpenRoute('POST', '/oauth/token')).toBe(true);
    expect(isOpenRoute('POST', '/health/live')).toBe(false);
    expect(isOpenRoute('GET', '/v1/claims')).toBe(false);
  });

  it('lets a ward system and a doctor read and write their own facility only', () => {
    expect(authorize(ward79, visits('79001')).allow).toBe(true);
    expect(authorize(ward79, encounter('79001', 'POST')).allow).toBe(true);
    expect(authorize(ward79, visits('79002'))).toMatchObject({ allow: false, code: 'FACILITY_FORBIDDEN' });
    expect(authorize(doctor01, encounter('01001')).allow).toBe(true);
    expect(authorize(doctor01, encounter('79001'))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
  });

  it('refuses a request whose route parameter and path disagree on the facility', () => {
    expect(
      authorize(ward79, req('GET', '/v1/facilities/79001/encounters/x', { facilityCode: '01001' })),
    ).toMatchObject({ allow: false });
  });

  it('gives provincial officers read-only access to the facilities of their province', () => {
    expect(authorize(officer79, encounter('79002')).allow).toBe(true);
    expect(authorize(officer79, encounter('48001'))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
    expect(authorize(officer79, visits('79001'))).toMatchObject({ allow: false, code: 'READ_ONLY' });
    expect(authorize(officer79, req('GET', '/v1/claims', {}, { facility: '79001' })).allow).toBe(true);
    expect(authorize(officer79, req('GET', '/v1/claims/summary'))).toMatchObject({
      allow: false,
      code: 'FACILITY_REQUIRED',
    });
  });

  it('keeps SRE on operator and report APIs, away from patient data', () => {
    expect(authorize(sre, req('GET', '/v1/claims/summary')).allow).toBe(true);
    expect(authorize(sre, req('POST', '/v1/claims/79001/X/1/redrive', { facility: '79001' })).allow).toBe(
      true,
    );
    expect(authorize(sre, req('GET', '/v1/reports/summary')).allow).toBe(true);
    expect(authorize(sre, encounter('79001'))).toMatchObject({ allow: false, code: 'ROLE_FORBIDDEN' });
    expect(
      authorize(sre, req('GET', '/v1/facilities/79001/patients/p/health-book', { facilityCode: '79001' }))
        .allow,
    ).toBe(false);
  });

  it('scopes facility IT to the operator API of its own facility', () => {
    expect(authorize(it79, req('GET', '/v1/claims', {}, { facility: '79001' })).allow).toBe(true);
    expect(authorize(it79, req('GET', '/v1/claims', {}, { facility: '01001' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
    expect(authorize(it79, req('GET', '/v1/claims'))).toMatchObject({
      allow: false,
      code: 'FACILITY_REQUIRED',
    });
    expect(authorize(it79, req('GET', '/v1/claims', {}, { facility: ['79001', '01001'] }))).toMatchObject({
      allow: false,
    });
    expect(authorize(it79, encounter('79001'))).toMatchObject({ allow: false, code: 'ROLE_FORBIDDEN' });
  });

  it('refuses a provincial officer’s request that names two different facilities', () => {
    expect(
      authorize(officer79, req('GET', '/v1/facilities/79001/encounters/x', { facilityCode: '79002' })),
    ).toMatchObject({ allow: false, code: 'FACILITY_FORBIDDEN' });
  });

  it('refuses a facility code that merely starts with the officer’s province digits but is malformed', () => {
    expect(authorize(officer79, req('GET', '/v1/claims', {}, { facility: '79ab1' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
  });

  it('refuses every route no rule covers', () => {
    expect(authorize(sre, req('GET', '/v2/anything'))).toMatchObject({ allow: false, code: 'NO_RULE' });
    expect(authorize(ward79, req('GET', '/v1/facilitiesX/79001'))).toMatchObject({
      allow: false,
      code: 'NO_RULE',
    });
  });
});

describe('access to the reports', () => {
  const monthly = (query: Record<string, unknown> = {}) =>
    req('GET', '/v1/reports/monthly/2026-01', { kind: 'monthly', period: '2026-01' }, query);

  it('lets a provincial officer read the province-wide reports without naming a facility, scoped to the province', () => {
    for (const r of [
      monthly(),
      req('GET', '/v1/reports'),
      req('GET', '/v1/reports/summary'),
      req('HEAD', '/v1/reports/weekly/2026-01-15'),
    ]) {
      expect(authorize(officer79, r)).toEqual({ allow: true, category: 'report', province: '79' });
    }
  });

  it('narrows a provincial officer’s report to the facility named when it is in the province', () => {
    expect(authorize(officer79, monthly({ facility: '79002' }))).toEqual({
      allow: true,
      category: 'report',
      facility: '79002',
    });
  });

  it('refuses a provincial officer a facility outside the province', () => {
    expect(authorize(officer79, monthly({ facility: '01001' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
      facility: '01001',
    });
    expect(authorize(officer79, req('GET', '/v1/reports/summary', {}, { facility: '48001' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
  });

  it('refuses a provincial officer every write to the reports, with or without a facility', () => {
    expect(
      authorize(
        officer79,
        req('POST', '/v1/reports/monthly/2026-01/regenerate', { kind: 'monthly', period: '2026-01' }),
      ),
    ).toMatchObject({ allow: false, code: 'READ_ONLY' });
    expect(
      authorize(officer79, req('POST', '/v1/reports/monthly/2026-01/regenerate', {}, { facility: '79001' })),
    ).toMatchObject({ allow: false, code: 'READ_ONLY' });
  });

  it('never widens an officer principal without a province to a province-wide read', () => {
    const noProvince: Principal = { sub: 'province-x', role: 'provincial-officer' };
    expect(authorize(noProvince, monthly())).toMatchObject({ allow: false, code: 'FACILITY_FORBIDDEN' });
    expect(authorize({ ...noProvince, province: '7' }, monthly())).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
    expect(authorize(noProvince, monthly({ facility: '79001' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
  });

  it('keeps the province-wide read to the reports: an officer still names the facility of an operator search', () => {
    expect(authorize(officer79, req('GET', '/v1/claims'))).toMatchObject({
      allow: false,
      code: 'FACILITY_REQUIRED',
    });
  });

  it('still requires facility IT to name its own facility for a report', () => {
    expect(authorize(it79, monthly())).toMatchObject({ allow: false, code: 'FACILITY_REQUIRED' });
    expect(authorize(it79, monthly({ facility: '79001' }))).toEqual({
      allow: true,
      category: 'report',
      facility: '79001',
    });
    expect(authorize(it79, monthly({ facility: '79002' }))).toMatchObject({
      allow: false,
      code: 'FACILITY_FORBIDDEN',
    });
  });

  it('keeps ward systems and doctors away from the reports', () => {
    expect(authorize(ward79, monthly({ facility: '79001' }))).toMatchObject({
      allow: false,
      code: 'ROLE_FORBIDDEN',
    });
  });

  it('gives SRE the whole network, narrowed to a facility only when it names one', () => {
    expect(authorize(sre, monthly())).toEqual({ allow: true, category: 'report' });
    expect(authorize(sre, monthly({ facility: '01001' }))).toEqual({
      allow: true,
      category: 'report',
      facility: '01001',
    });
  });
});

describe('the scope of an allowed decision', () => {
  const allowed = (d: Decision) => {
    if (!d.allow) throw new Error(`expected an allowed decision, got ${d.code}`);
    return d;
  };

  it('is the facility the request names, whatever the role', () => {
    expect(
      allowedScope(allowed(authorize(it79, req('GET', '/v1/reports/summary', {}, { facility: '79001' })))),
    ).toEqual({ facility: '79001' });
    expect(
      allowedScope(
        allowed(authorize(officer79, req('GET', '/v1/reports/summary', {}, { facility: '79002' }))),
      ),
    ).toEqual({ facility: '79002' });
  });

  it('is the officer’s province when the request names no facility', () => {
    expect(allowedScope(allowed(authorize(officer79, req('GET', '/v1/reports/summary'))))).toEqual({
      province: '79',
    });
  });

  it('is everything only for an unscoped role that names no facility', () => {
    expect(allowedScope(allowed(authorize(sre, req('GET', '/v1/reports/summary'))))).toBe('all');
  });

  it('lets facility IT and SRE, not ward systems, see blocked encounters and retract events; officers only read', () => {
    const blocked = (f: string, method = 'GET') =>
      req(method, `/v1/operations/facilities/${f}/blocked-encounters`, { facilityCode: f });
    expect(authorize(it79, blocked('79001')).allow).toBe(true);
    expect(authorize(it79, blocked('79002'))).toMatchObject({ allow: false, code: 'FACILITY_FORBIDDEN' });
    expect(authorize(sre, blocked('01001', 'POST')).allow).toBe(true);
    expect(authorize(ward79, blocked('79001'))).toMatchObject({ allow: false, code: 'ROLE_FORBIDDEN' });
    expect(authorize(officer79, blocked('79001', 'POST'))).toMatchObject({ allow: false, code: 'READ_ONLY' });
  });

  it('leaves the audit of a health-book read to its handler, which takes a further decision', () => {
    expect(
      handlerDecidesAccess(
        'GET',
        '/v1/facilities/79001/patients/6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b10/health-book',
      ),
    ).toBe(true);
    expect(handlerDecidesAccess('GET', '/v1/facilities/79001/encounters/X')).toBe(false);
  });
});
