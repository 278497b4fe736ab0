import { createHash } from 'node:crypto';
import { md5Upper } from './config';
import { startGatewaySimulator, type SimulatorHandle } from './simulator';
import {
  buildCheckin,
  buildRecord,
  makeCertificate,
  signXml,
  xml1,
  xml2,
  type TestCertificate,
} from './test-fixtures';

const FACILITY = '79001';
const OTHER = '01001';
const PASSWORD = 'secret-79001';

type Json = Record<string, unknown>;

// Real RSA keys, signatures and envelope checks of both editions run in these tests: on a busy
// 2-core machine (parallel jest workers) one takes several seconds, beyond jest's 5 s default.
jest.setTimeout(30_000);

let sim: SimulatorHandle;
let cert: TestCertificate;

beforeAll(async () => {
  cert = makeCertificate('BENH VIEN MAU 79001');
  sim = await startGatewaySimulator({
    port: 0,
    config: {
      facilities: [
        {
          code: FACILITY,
          name: 'BV Mẫu',
          accounts: [
            { username: '79001_BV', password: PASSWORD },
            { username: '79001_LOCKED', password: PASSWORD, locked: true },
          ],
        },
        { code: OTHER, accounts: [{ username: '01001_BV', password: 'other' }], allowedIps: ['10.9.9.9'] },
      ],
      unboundAccounts: [{ username: 'FLOATING', password: 'x' }],
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
});

async function postForm(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

async function login(
  username = '79001_BV',
  password = PASSWORD,
): Promise<{ accessToken: string; idToken: string; expiresIn: string }> {
  const { body } = await postForm('/api/token/take', { username, password: md5Upper(password) });
  const key = body['APIKey'] as Json;
  return {
    accessToken: String(key['access_token']),
    idToken: String(key['id_token']),
    expiresIn: String(key['expires_in']),
  };
}

async function submit(
  xml: string | Buffer,
  overrides: Record<string, string> = {},
  path = '/api/qd130/guiHoSoXmlQD4750',
): Promise<Json> {
  const t = await login();
  const { body } = await postForm(
    path,
    {
      username: '79001_BV',
      loaiHoSo: path.includes('checkIn') ? '0' : '130',
      maTinh: '79',
      maCSKCB: FACILITY,
      fileHSBase64: Buffer.from(xml).toString('base64'),
      ...overrides,
    },
    { accessToken: t.accessToken, tokenId: t.idToken, passwordHash: md5Upper(PASSWORD) },
  );
  return body;
}

const signedRecord = (maLk: string, extra: Partial<Parameters<typeof buildRecord>[0]> = {}): string =>
  signXml(buildRecord({ facility: FACILITY, maLk, ...extra }), cert);

async function getJson(path: string): Promise<Json> {
  return (await (await fetch(`${sim.url}${path}`)).json()) as Json;
}

describe('login', () => {
  it('issues a token whose expires_in is an absolute UTC time with seven fractional digits, ten minutes ahead by default', async () => {
    const t = await login();
    expect(t.expiresIn).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    const minutes = (Date.parse(t.expiresIn.replace(/(\.\d{3})\d{4}Z$/, '$1Z')) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9.9);
    expect(minutes).toBeLessThanOrEqual(10.01);
  });

  it('accepts the MD5 in lower-case hex and a JSON body', async () => {
    const res = await fetch(`${sim.url}/api/token/take`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: '79001_BV', password: md5Upper(PASSWORD).toLowerCase() }),
    });
    expect(((await res.json()) as Json)['maKetQua']).toBe('200');
  });

  it.each([
    ['an unknown user', 'NOBODY', PASSWORD, '401'],
    ['a wrong password', '79001_BV', 'wrong', '401'],
    ['a locked account', '79001_LOCKED', PASSWORD, '403'],
    ['an account bound to no facility', 'FLOATING', 'x', '402'],
    ['a client IP outside the allow-list', '01001_BV', 'other', '403'],
  ])('answers HTTP 200 with the business code for %s', async (_label, username, password, code) => {
    const { status, body } = await postForm('/api/token/take', { username, password: md5Upper(password) });
    expect(status).toBe(200);
    expect(body['maKetQua']).toBe(code);
  });

  it('rejects a token once the simulated clock passes its expiry', async () => {
    const xml = signedRecord('LK-CLOCK');
    const t = await login();
    await fetch(`${sim.url}/admin/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 11 * 60_000 }),
    });
    const { body } = await postForm(
      '/api/qd130/guiHoSoXmlQD4750',
      {
        username: '79001_BV',
        loaiHoSo: '130',
        maTinh: '79',
        maCSKCB: FACILITY,
        fileHSBase64: Buffer.from(xml).toString('base64'),
      },
      { accessToken: t.accessToken, tokenId: t.idToken, passwordHash: md5Upper(PASSWORD) },
    );
    expect(body['maKetQua']).toBe('401');
  });
});

describe('credential placement', () => {
  it('refuses submission credentials sent in the query string', async () => {
    const t = await login();
    const q = new URLSearchParams({
      token: t.accessToken,
      id_token: t.idToken,
      username: '79001_BV',
      password: md5Upper(PASSWORD),
    });
    const { body } = await postForm(`/api/qd130/guiHoSoXmlQD4750?${q}`, {
      username: '79001_BV',
      loaiHoSo: '130',
      maTinh: '79',
      maCSKCB: FACILITY,
      fileHSBase64: 'AAAA',
    });
    expect(body['maKetQua']).toBe('401');
  });

  it('refuses lookup credentials sent in headers', async () => {
    const t = await login();
    const res = await fetch(`${sim.url}/api/egw/KQNhanLichSuKCB2024`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accessToken: t.accessToken,
        tokenId: t.idToken,
        passwordHash: md5Upper(PASSWORD),
      },
      body: '{}',
    });
    expect(((await res.json()) as Json)['maKetQua']).toBe('401');
  });

  it('answers 404 for unknown paths and double slashes', async () => {
    expect((await fetch(`${sim.url}/api/qd130/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${sim.url}//api/token/take`, { method: 'POST' })).status).toBe(404);
  });
});

describe('submission synchronous checks', () => {
  it('accepts a correctly signed record with maGiaoDich and a yyyyMMddHHmmss reception time', async () => {
    const body = await submit(signedRecord('LK-OK'));
    expect(body).toMatchObject({ maKetQua: '200', thongDiep: expect.any(String) });
    expect(body['maGiaoDich']).toMatch(/^GD-79001-\d{8}-\d{6}$/);
    expect(body['thoiGianTiepNhan']).toMatch(/^\d{14}$/);
  });

  it('rejects a missing form field with 205', async () => {
    expect((await submit(signedRecord('LK-F'), { maTinh: '' }))['maKetQua']).toBe('205');
  });

  it('rejects loaiHoSo other than 130 on the record endpoint and other than 0 on check-in', async () => {
    expect((await submit(signedRecord('LK-L'), { loaiHoSo: '0' }))['maKetQua']).toBe('205');
    const checkin = signXml(buildCheckin(FACILITY, 'LK-L'), cert);
    expect((await submit(checkin, { loaiHoSo: '130' }, '/api/qd130/checkInKcbQd4750'))['maKetQua']).toBe(
      '205',
    );
  });

  it('rejects maTinh that is not the first two characters of maCSKCB', async () => {
    expect((await submit(signedRecord('LK-T'), { maTinh: '01' }))['maKetQua']).toBe('205');
  });

  it('rejects a facility code that does not belong to the account with 402', async () => {
    expect((await submit(signedRecord('LK-B'), { maCSKCB: OTHER, maTinh: '01' }))['maKetQua']).toBe('402');
  });

  it('rejects base64 that is not strict with 205', async () => {
    const b64 = Buffer.from(signedRecord('LK-64')).toString('base64');
    expect((await submit('', { fileHSBase64: b64.slice(0, 10) + '\n' + b64.slice(10) }))['maKetQua']).toBe(
      '205',
    );
    expect((await submit('', { fileHSBase64: b64.replace(/=+$/, '') + '*' }))['maKetQua']).toBe('205');
  });

  it('rejects an empty decoded file with 204', async () => {
    expect((await submit('', { fileHSBase64: Buffer.from('   ').toString('base64') }))['maKetQua']).toBe(
      '204',
    );
  });

  it('rejects bytes that are not UTF-8 and XML that is not well-formed with 123', async () => {
    expect(
      (await submit(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])))['maKetQua'],
    ).toBe('123');
    expect((await submit('<GIAMDINHHS><THONGTINDONVI></GIAMDINHHS>'))['maKetQua']).toBe('123');
  });

  it('rejects the wrong root element with 202', async () => {
    expect((await submit(signXml(buildCheckin(FACILITY, 'LK-R'), cert)))['maKetQua']).toBe('202');
  });

  it('rejects an envelope whose MACSKCB, NGAYLAP or SOLUONGHOSO is wrong with 202', async () => {
    expect((await submit(signedRecord('LK-E1', { macskcb: '79002' })))['maKetQua']).toBe('202');
    expect((await submit(signedRecord('LK-E2', { ngayLap: '04/03/2025' })))['maKetQua']).toBe('202');
    expect((await submit(signedRecord('LK-E3', { soLuongHoSo: '2' })))['maKetQua']).toBe('202');
  });

  it('rejects a LOAIHOSO outside the allowed set, a duplicated table and a missing XML1 with 202', async () => {
    expect(
      (await submit(signedRecord('LK-S1', { tables: { XML1: xml1('LK-S1'), XML12: xml2('LK-S1') } })))[
        'maKetQua'
      ],
    ).toBe('202');
    expect(
      (
        await submit(
          signedRecord('LK-S2', {
            tables: { XML1: xml1('LK-S2'), XML2: xml2('LK-S2'), 'XML2#2': xml2('LK-S2') },
          }),
        )
      )['maKetQua'],
    ).toBe('202');
    expect((await submit(signedRecord('LK-S3', { tables: { XML2: xml2('LK-S3') } })))['maKetQua']).toBe(
      '202',
    );
  });

  it('rejects inner tables whose MA_LK differs from XML1 with 202', async () => {
    const body = await submit(
      signedRecord('LK-M', { tables: { XML1: xml1('LK-M'), XML2: xml2('LK-OTHER') } }),
    );
    expect(body).toMatchObject({ maKetQua: '202', thongDiep: expect.stringContaining('MA_LK') });
  });

  it('rejects a file above the size cap with 1001', async () => {
    const small = await startGatewaySimulator({
      port: 0,
      config: {
        facilities: [{ code: FACILITY, accounts: [{ username: '79001_BV', password: PASSWORD }] }],
        maxFileBytes: 1000,
        signaturePolicy: 'off',
      },
    });
    try {
      const key = (await (
        await fetch(`${small.url}/api/token/take`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: '79001_BV', password: md5Upper(PASSWORD) }),
        })
      ).json()) as Json;
      const t = key['APIKey'] as Json;
      const res = await fetch(`${small.url}/api/qd130/guiHoSoXmlQD4750`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accessToken: String(t['access_token']),
          tokenId: String(t['id_token']),
          passwordHash: md5Upper(PASSWORD),
        },
        body: new URLSearchParams({
          username: '79001_BV',
          loaiHoSo: '130',
          maTinh: '79',
          maCSKCB: FACILITY,
          fileHSBase64: Buffer.from(buildRecord({ facility: FACILITY, maLk: 'BIG' })).toString('base64'),
        }).toString(),
      });
      expect(((await res.json()) as Json)['maKetQua']).toBe('1001');
    } finally {
      await small.close();
    }
  });
});

describe('signature verification', () => {
  it('rejects a document tampered after signing in enforce mode', async () => {
    const tampered = signedRecord('LK-TAMPER').replace('<NGAYLAP>20250304', '<NGAYLAP>20250305');
    const body = await submit(tampered);
    expect(body).toMatchObject({ maKetQua: '202', thongDiep: expect.stringContaining('does not verify') });
  });

  it('rejects an unsigned document and a certificate that is not registered for the facility', async () => {
    expect((await submit(buildRecord({ facility: FACILITY, maLk: 'LK-UNSIGNED' })))['thongDiep']).toContain(
      'no Signature',
    );
    const stranger = makeCertificate('STRANGER');
    const body = await submit(signXml(buildRecord({ facility: FACILITY, maLk: 'LK-STRANGER' }), stranger));
    expect(body['thongDiep']).toContain('not registered');
  });

  it('rejects a registered certificate that has expired at reception time', async () => {
    const old = makeCertificate(
      'OLD',
      new Date(Date.now() - 400 * 86_400_000),
      new Date(Date.now() - 30 * 86_400_000),
    );
    await fetch(`${sim.url}/admin/certificates`, {
      method: 'POST',
      body: JSON.stringify({ facility: FACILITY, pem: old.certPem }),
    });
    const body = await submit(signXml(buildRecord({ facility: FACILITY, maLk: 'LK-OLD' }), old));
    expect(body['thongDiep']).toContain('not valid at reception time');
  });
});

describe('versions, duplicates and asynchronous results', () => {
  it('gives every re-send of a MA_LK a new maGiaoDich and version and keeps the history', async () => {
    const first = await submit(signedRecord('LK-V'));
    const second = await submit(signedRecord('LK-V', { ngayRa: '202503051000' }));
    expect(first['maGiaoDich']).not.toBe(second['maGiaoDich']);
    const list = await getJson(`/admin/submissions?facility=${FACILITY}&maLk=LK-V`);
    const subs = list['submissions'] as Json[];
    expect(subs.map((s) => s['version'])).toEqual([1, 2]);
    expect(subs[0]!['supersededBy']).toBe(second['maGiaoDich']);
  });

  it('counts byte-identical re-sends as duplicates and the lookup route finds the claim by sha256', async () => {
    const xml = signedRecord('LK-D');
    await submit(xml);
    await submit(xml);
    await submit(signedRecord('LK-D2'));
    const stats = await getJson('/admin/stats');
    expect(stats).toMatchObject({ received: 3, accepted: 3, rejected: 0, duplicates: 1 });
    const sha = createHash('sha256').update(xml).digest('hex');
    const found = await getJson(`/admin/lookup?facility=${FACILITY}&maLk=LK-D&sha256=${sha}`);
    expect(found['found']).toBe(true);
    expect((found['submissions'] as Json[]).length).toBe(2);
    const missing = await getJson(`/admin/lookup?facility=${FACILITY}&maLk=LK-NONE&sha256=${sha}`);
    expect(missing['found']).toBe(false);
  });

  it('returns the exact signed bytes as received', async () => {
    const xml = signedRecord('LK-RAW');
    const { maGiaoDich } = (await submit(xml)) as { maGiaoDich: string };
    const raw = await (await fetch(`${sim.url}/admin/submissions/${maGiaoDich}/raw`)).text();
    expect(raw).toBe(xml);
  });

  it('moves an accepted file to processed and reports asynchronous per-record errors', async () => {
    const xml = signedRecord('LK-ASYNC', {
      tables: { XML1: xml1('LK-ASYNC').replace('<NGAY_VAO>202503040830', '<NGAY_VAO>04/03/2025') },
    });
    const { maGiaoDich } = (await submit(xml)) as { maGiaoDich: string };
    await sim.drain();
    const result = await getJson(`/admin/results/${maGiaoDich}`);
    expect(result).toMatchObject({
      simulatorOnly: true,
      status: 'processed',
      signature: { status: 'valid' },
    });
    // The minimal fixture also lacks the fields the edition's field rules require (check 'fields').
    expect(result['errors']).toContainEqual(
      expect.objectContaining({
        check: 'fields',
        table: 'XML1',
        field: 'NGAY_VAO',
        message: 'expected yyyyMMddHHmm',
      }),
    );
  });

  it('answers a page of results in one request and leaves unknown ids out', async () => {
    const a = (await submit(signedRecord('LK-PAGE-A'))) as { maGiaoDich: string };
    const b = (await submit(signedRecord('LK-PAGE-B'))) as { maGiaoDich: string };
    await sim.drain();
    const page = await getJson(`/admin/results?ids=${a.maGiaoDich},${b.maGiaoDich},no-such-id`);
    const results = page['results'] as Record<string, { status: string }>;
    expect(Object.keys(results).sort()).toEqual([a.maGiaoDich, b.maGiaoDich].sort());
    expect(results[a.maGiaoDich]).toMatchObject({ status: 'processed' });
    expect((await fetch(`${sim.url}/admin/results?ids=`)).status).toBe(400);
  });

  it('tracks several check-ins for the same MA_LK separately', async () => {
    const c1 = await submit(signXml(buildCheckin(FACILITY, 'LK-C'), cert), {}, '/api/qd130/checkInKcbQd4750');
    const c2 = await submit(
      signXml(buildCheckin(FACILITY, 'LK-C').replace('<STT>1</STT>', '<STT>2</STT>'), cert),
      {},
      '/api/qd130/checkInKcbQd3176',
    );
    expect([c1['maKetQua'], c2['maKetQua']]).toEqual(['200', '200']);
    const subs = (await getJson(`/admin/submissions?maLk=LK-C`))['submissions'] as Json[];
    expect(subs.map((s) => [s['kind'], s['version']])).toEqual([
      ['checkin', 1],
      ['checkin', 2],
    ]);
  });
});

describe('card lookup', () => {
  async function lookup(fields: Record<string, string>): Promise<Json> {
    const t = await login();
    const q = new URLSearchParams({
      token: t.accessToken,
      id_token: t.idToken,
      username: '79001_BV',
      password: md5Upper(PASSWORD),
    });
    const res = await fetch(`${sim.url}/api/egw/KQNhanLichSuKCB2024?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ hoTenCb: 'TRẦN THỊ CÁN BỘ', cccdCb: '079001000001', ...fields }),
    });
    return (await res.json()) as Json;
  }

  it('answers each seeded status with its result code and records the lookup in dsLichSuKT2018', async () => {
    const expected = ['000', '001', '002', '003', '004', '010', '110', '120', '121', '122', '123', '124'];
    for (const [i, code] of expected.entries()) {
      const card = sim.cards[i]!;
      const body = await lookup({ maThe: card.maThe, hoTen: card.hoTen, ngaySinh: card.ngaySinh });
      expect(body['maKetQua']).toBe(code);
      expect((body['dsLichSuKT2018'] as Json[]).length).toBe(1);
    }
  });

  it('answers input, staff, card-number, name and birth-date errors with their codes', async () => {
    const card = sim.cards[0]!;
    const ok = { maThe: card.maThe, hoTen: card.hoTen, ngaySinh: card.ngaySinh };
    expect((await lookup({ ...ok, ngaySinh: '1985-06-15' }))['maKetQua']).toBe('205');
    expect((await lookup({ ...ok, cccdCb: '079999999999' }))['maKetQua']).toBe('054');
    expect((await lookup({ ...ok, hoTenCb: 'AI DO' }))['maKetQua']).toBe('055');
    expect((await lookup({ ...ok, maThe: 'GD47979' }))['maKetQua']).toBe('051');
    expect((await lookup({ ...ok, maThe: `GD4${'00'}1234567890` }))['maKetQua']).toBe('052');
    expect((await lookup({ ...ok, maThe: `GD9791234567890` }))['maKetQua']).toBe('053');
    expect((await lookup({ ...ok, maThe: 'GD4790000000001' }))['maKetQua']).toBe('050');
    expect((await lookup({ ...ok, hoTen: `${card.hoTen[0]}ZZZ` }))['maKetQua']).toBe('061');
    expect((await lookup({ ...ok, hoTen: 'ZZZ' }))['maKetQua']).toBe('060');
    expect((await lookup({ ...ok, ngaySinh: '01/01/1900' }))['maKetQua']).toBe('070');
  });

  it('builds visit history from accepted records for the card', async () => {
    const card = sim.cards[0]!;
    await submit(signedRecord('LK-HIST', { maThe: card.maThe }));
    await sim.drain();
    const body = await lookup({ maThe: card.maThe, hoTen: card.hoTen, ngaySinh: card.ngaySinh });
    expect(body['dsLichSuKCB2018']).toEqual([
      expect.objectContaining({ maCSKCB: FACILITY, ngayVao: '202503040830' }),
    ]);
  });
});

describe('fault injection', () => {
  it('emits numeric result codes when asked', async () => {
    await fetch(`${sim.url}/admin/faults`, { method: 'POST', body: JSON.stringify({ numericCodes: true }) });
    const { body } = await postForm('/api/token/take', { username: 'NOBODY', password: 'x' });
    expect(body['maKetQua']).toBe(401);
  });

  it('answers an HTML 502 page from a script and records nothing', async () => {
    await fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ script: [{ route: 'submit', action: 'http5xx' }] }),
    });
    const xml = signedRecord('LK-502');
    const t = await login();
    const res = await fetch(`${sim.url}/api/qd130/guiHoSoXmlQD4750`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accessToken: t.accessToken,
        tokenId: t.idToken,
        passwordHash: md5Upper(PASSWORD),
      },
      body: new URLSearchParams({
        username: '79001_BV',
        loaiHoSo: '130',
        maTinh: '79',
        maCSKCB: FACILITY,
        fileHSBase64: Buffer.from(xml).toString('base64'),
      }).toString(),
    });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('<html>');
    expect((await getJson('/admin/stats'))['received']).toBe(0);
  });

  it('rate-limits requests beyond the configured window', async () => {
    await fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ rateLimit: { maxRequests: 2, windowMs: 60_000 } }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await postForm('/api/token/take', { username: 'NOBODY', password: 'x' })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('makes the same probabilistic fault decisions for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      await fetch(`${sim.url}/admin/faults`, {
        method: 'POST',
        body: JSON.stringify({ seed: 7, probabilities: { http500: 0.5 } }),
      });
      const out: number[] = [];
      for (let i = 0; i < 8; i++)
        out.push((await postForm('/api/token/take', { username: 'NOBODY', password: 'x' })).status);
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a).size).toBe(2);
  });
});
