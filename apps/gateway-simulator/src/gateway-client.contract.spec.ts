/**
 * The @bhyt/gateway-client library against the real simulator, in-process on an ephemeral
 * 127.0.0.1 port (no fakes).
 */
import { GatewayClient, staticAccountResolver, UnknownFacilityAccountError } from '@bhyt/gateway-client';
import { startGatewaySimulator, type SimulatorHandle } from './simulator';
import { buildCheckin, buildRecord, makeCertificate, signXml, type TestCertificate } from './test-fixtures';

const FACILITY = '79001';
const PASSWORD = 'secret-79001';

let sim: SimulatorHandle;
let cert: TestCertificate;
let client: GatewayClient;

const record = (maLk: string): string => signXml(buildRecord({ facility: FACILITY, maLk }), cert);

async function setFaults(profile: unknown): Promise<void> {
  await fetch(`${sim.url}/admin/faults`, { method: 'POST', body: JSON.stringify(profile) });
}

function newClient(extra: Partial<ConstructorParameters<typeof GatewayClient>[0]> = {}): GatewayClient {
  return new GatewayClient({
    baseUrl: sim.url,
    accounts: staticAccountResolver({ [FACILITY]: { username: '79001_BV', password: PASSWORD } }),
    now: () => sim.clock.now(),
    totalTimeoutMs: 2_000,
    simulatorAdminBaseUrl: sim.url,
    ...extra,
  });
}

beforeAll(async () => {
  cert = makeCertificate('BENH VIEN MAU 79001');
  sim = await startGatewaySimulator({
    port: 0,
    config: {
      facilities: [{ code: FACILITY, accounts: [{ username: '79001_BV', password: PASSWORD }] }],
      tokenLifetimeSeconds: 120,
      processingDelayMs: 1,
    },
    certificates: { [FACILITY]: [cert.certPem] },
  });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await fetch(`${sim.url}/admin/reset`, { method: 'POST' });
  client = newClient();
});

afterEach(() => client.close());

describe('GatewayClient against the simulator', () => {
  it('submits a signed claim and a check-in and gets them accepted with one cached login', async () => {
    const a = await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-1') });
    const b = await client.submitCheckin({
      facilityCode: FACILITY,
      signedXml: Buffer.from(signXml(buildCheckin(FACILITY, 'LK-1'), cert)),
    });
    expect(a).toMatchObject({
      kind: 'accepted',
      maGiaoDich: expect.stringMatching(/^GD-/),
      thoiGianTiepNhan: expect.stringMatching(/^\d{14}$/),
    });
    expect(b.kind).toBe('accepted');
    expect(client.loginCount).toBe(1);
  });

  it('sends to the 3176 endpoints for an encounter ended in 2025 or later and to the 4750 ones before, by default', async () => {
    const c = newClient();
    try {
      expect(
        (
          await c.submitClaim({
            facilityCode: FACILITY,
            signedXml: record('LK-AUTO-NEW'),
            encounterDate: new Date('2025-01-01T00:30:00+07:00'),
          })
        ).kind,
      ).toBe('accepted');
      expect(
        (
          await c.submitClaim({
            facilityCode: FACILITY,
            signedXml: record('LK-AUTO-OLD'),
            encounterDate: new Date('2024-12-31T23:30:00+07:00'),
          })
        ).kind,
      ).toBe('accepted');
      const endpoint = async (maLk: string) =>
        (
          (await (await fetch(`${sim.url}/admin/submissions?maLk=${maLk}`)).json()) as {
            submissions: Array<{ endpoint: string }>;
          }
        ).submissions[0]!.endpoint;
      expect(await endpoint('LK-AUTO-NEW')).toBe('/api/qd130/guiHoSoXmlQD3176');
      expect(await endpoint('LK-AUTO-OLD')).toBe('/api/qd130/guiHoSoXmlQD4750');
    } finally {
      c.close();
    }
  });

  it('uses the 3176 endpoint family when configured', async () => {
    const c = newClient({ endpointFamily: '3176' });
    try {
      expect((await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-3176') })).kind).toBe(
        'accepted',
      );
      const subs = (await (await fetch(`${sim.url}/admin/submissions?maLk=LK-3176`)).json()) as {
        submissions: Array<{ endpoint: string }>;
      };
      expect(subs.submissions[0]!.endpoint).toBe('/api/qd130/guiHoSoXmlQD3176');
    } finally {
      c.close();
    }
  });

  it('logs in again before the cached token expires when time moves on mid-run, without any 401', async () => {
    await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-2') });
    sim.clock.advance(70_000); // 120 s lifetime, 60 s refresh margin
    const second = await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-3') });
    expect(second.kind).toBe('accepted');
    expect(client.loginCount).toBe(2);
  });

  it('on a business 401 drops the token, logs in exactly once more and retries once', async () => {
    await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-4') });
    await fetch(`${sim.url}/admin/tokens/expire`, { method: 'POST' });
    const outcome = await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-5') });
    expect(outcome.kind).toBe('accepted');
    expect(client.loginCount).toBe(2);
  });

  it('logs in once more, not once per call, when a token expires under concurrent submissions', async () => {
    await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-C0') });
    await fetch(`${sim.url}/admin/tokens/expire`, { method: 'POST' });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.submitClaim({ facilityCode: FACILITY, signedXml: record(`LK-C${i + 1}`) }),
      ),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(6).fill('accepted'));
    expect(client.loginCount).toBe(2);
  });

  it('refreshes at half the lifetime when the token lives shorter than the refresh margin', async () => {
    const c = newClient({ tokenRefreshMarginMs: 600_000 }); // lifetime 120 s
    try {
      await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-S1') });
      await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-S2') });
      expect(c.loginCount).toBe(1);
      sim.clock.advance(61_000);
      await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-S3') });
      expect(c.loginCount).toBe(2);
    } finally {
      c.close();
    }
  });

  it('hands a second 401 after the re-login to an operator instead of looping', async () => {
    await setFaults({
      script: [
        { route: 'submit', action: 'token401' },
        { route: 'submit', action: 'token401' },
      ],
    });
    const outcome = await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-6') });
    expect(outcome).toMatchObject({ kind: 'needs-operator', code: '401' });
    expect(client.loginCount).toBe(2);
  });

  it('classifies an HTML 502 proxy page as retryable', async () => {
    await setFaults({ script: [{ route: 'submit', action: 'http5xx' }] });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-7') })).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_502',
    });
  });

  it('classifies business 500 as retryable and a rate limit as retryable', async () => {
    await setFaults({
      script: [
        { route: 'submit', action: 'business500' },
        { route: 'submit', action: 'rateLimit' },
      ],
    });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-8') })).toMatchObject({
      kind: 'retryable',
      code: '500',
    });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-8') })).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_429',
    });
  });

  it('classifies a hang after the request was sent as ambiguous', async () => {
    await setFaults({ hangMs: 60_000, script: [{ route: 'submit', action: 'hang' }] });
    const c = newClient({ totalTimeoutMs: 300 });
    try {
      expect((await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-9') })).kind).toBe(
        'ambiguous',
      );
    } finally {
      c.close();
    }
  });

  it('classifies an accepted-then-dropped claim as ambiguous, and reconcile finds it on the simulator', async () => {
    await setFaults({ script: [{ route: 'submit', action: 'acceptThenDrop' }] });
    const xml = record('LK-10');
    const outcome = await client.submitClaim({ facilityCode: FACILITY, signedXml: xml });
    expect(outcome.kind).toBe('ambiguous');
    const found = await client.reconcile({ facilityCode: FACILITY, maLk: 'LK-10', signedXml: xml });
    expect(found.found).toBe(true);
    expect((await client.reconcile({ facilityCode: FACILITY, maLk: 'LK-11', signedXml: xml })).found).toBe(
      false,
    );
  });

  it('classifies a timeout after the gateway recorded the claim as ambiguous, and reconcile finds it', async () => {
    await setFaults({ hangMs: 60_000, script: [{ route: 'submit', action: 'acceptThenHang' }] });
    const c = newClient({ totalTimeoutMs: 300 });
    try {
      const xml = record('LK-H1');
      expect(await c.submitClaim({ facilityCode: FACILITY, signedXml: xml })).toMatchObject({
        kind: 'ambiguous',
        reason: expect.stringMatching(/TIMEOUT_AFTER_SEND/),
      });
      expect((await c.reconcile({ facilityCode: FACILITY, maLk: 'LK-H1', signedXml: xml })).found).toBe(true);
    } finally {
      c.close();
    }
  });

  it('answers the scripted business codes 205 (permanent) and 403 (needs an operator) without recording the claim', async () => {
    await setFaults({
      script: [
        { route: 'submit', action: 'business205' },
        { route: 'submit', action: 'business403' },
      ],
    });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-B1') })).toMatchObject({
      kind: 'permanent',
      code: '205',
    });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-B1') })).toMatchObject({
      kind: 'needs-operator',
      code: '403',
    });
    expect(sim.state.versionsOf(FACILITY, 'record', 'LK-B1')).toEqual([]);
  });

  it('classifies a connection refused before sending as retryable', async () => {
    const closed = await startGatewaySimulator({ port: 0, config: { facilities: [] } });
    const url = closed.url;
    await closed.close();
    const c = new GatewayClient({
      baseUrl: url,
      accounts: staticAccountResolver({ [FACILITY]: { username: '79001_BV', password: PASSWORD } }),
    });
    try {
      expect(await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-12') })).toMatchObject({
        kind: 'retryable',
        code: 'ECONNREFUSED',
      });
    } finally {
      c.close();
    }
  });

  it('returns permanent rejections with the gateway code and message', async () => {
    const unsigned = buildRecord({ facility: FACILITY, maLk: 'LK-13' });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: unsigned })).toMatchObject({
      kind: 'permanent',
      code: '202',
      reason: expect.stringContaining('Signature'),
    });
    expect(await client.submitClaim({ facilityCode: FACILITY, signedXml: '' })).toMatchObject({
      kind: 'permanent',
      code: '204',
    });
  });

  it('understands numeric result codes', async () => {
    await setFaults({ numericCodes: true });
    expect((await client.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-14') })).kind).toBe(
      'accepted',
    );
  });

  it('sends a wrong password to an operator without retrying the login', async () => {
    const c = newClient({
      accounts: staticAccountResolver({ [FACILITY]: { username: '79001_BV', password: 'wrong' } }),
    });
    try {
      expect(await c.submitClaim({ facilityCode: FACILITY, signedXml: record('LK-15') })).toMatchObject({
        kind: 'needs-operator',
        code: '401',
      });
      expect(c.loginCount).toBe(1);
    } finally {
      c.close();
    }
  });

  it('refuses a facility without a configured account', async () => {
    await expect(
      client.submitClaim({ facilityCode: '48001', signedXml: record('LK-16') }),
    ).rejects.toBeInstanceOf(UnknownFacilityAccountError);
  });

  it('looks up a card with credentials in the query string and returns the verdict', async () => {
    const card = sim.cards[0]!;
    const outcome = await client.lookupCard({
      facilityCode: FACILITY,
      maThe: card.maThe,
      hoTen: card.hoTen,
      ngaySinh: card.ngaySinh,
      hoTenCb: 'TRẦN THỊ CÁN BỘ',
      cccdCb: '079001000001',
    });
    expect(outcome).toMatchObject({
      kind: 'answered',
      maKetQua: '000',
      card: expect.objectContaining({ maThe: card.maThe }),
    });
  });
});
