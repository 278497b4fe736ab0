import { classifyGatewayResponse, parseGatewayBody, type TransportObservation } from './classify';

const http200 = (body: unknown): TransportObservation => ({
  type: 'http',
  status: 200,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('classifyGatewayResponse', () => {
  it('accepts maKetQua 200 with a maGiaoDich, whether the code is a string or a number', () => {
    for (const code of ['200', 200]) {
      expect(
        classifyGatewayResponse(
          http200({ maKetQua: code, maGiaoDich: 'GD-1', thoiGianTiepNhan: '20250304091522' }),
          'submit',
        ),
      ).toEqual({
        kind: 'accepted',
        maGiaoDich: 'GD-1',
        thoiGianTiepNhan: '20250304091522',
      });
    }
  });

  it('accepts a 200 whose message speaks of reception, whatever its diacritics', () => {
    for (const thongDiep of ['Đã tiếp nhận hồ sơ', 'Da tiep nhan ho so', 'Gửi hồ sơ thành công'])
      expect(
        classifyGatewayResponse(
          http200({ maKetQua: '200', maGiaoDich: 'GD-1', thoiGianTiepNhan: '20250304091522', thongDiep }),
          'submit',
        ),
      ).toMatchObject({ kind: 'accepted', maGiaoDich: 'GD-1', thongDiep });
  });

  it('hands a 200 with a transaction id but a message that is not about reception to an operator', () => {
    const out = classifyGatewayResponse(
      http200({ maKetQua: '200', maGiaoDich: 'GD-2', thongDiep: 'Hồ sơ sai cấu trúc XML1' }),
      'submit',
    );
    expect(out).toMatchObject({ kind: 'needs-operator', code: '200_UNCONFIRMED' });
    expect((out as { reason: string }).reason).toContain('GD-2');
  });

  it('treats maKetQua 200 without a maGiaoDich as ambiguous', () => {
    expect(classifyGatewayResponse(http200({ maKetQua: '200' }), 'submit').kind).toBe('ambiguous');
  });

  it('asks for one re-login on the first 401 and for an operator on a 401 after re-login', () => {
    expect(classifyGatewayResponse(http200({ maKetQua: '401' }), 'submit').kind).toBe('reauthenticate');
    expect(classifyGatewayResponse(http200({ maKetQua: 401 }), 'lookup').kind).toBe('reauthenticate');
    expect(classifyGatewayResponse(http200({ maKetQua: '401' }), 'submit', true)).toMatchObject({
      kind: 'needs-operator',
      code: '401',
    });
    expect(classifyGatewayResponse(http200({ maKetQua: '401' }), 'login')).toMatchObject({
      kind: 'needs-operator',
      code: '401',
    });
  });

  it.each(['402', '403'])('sends %s to an operator', (code) => {
    expect(classifyGatewayResponse(http200({ maKetQua: code }), 'submit')).toMatchObject({
      kind: 'needs-operator',
      code,
    });
  });

  it.each(['205', '202', '123', '204', '1001', '701', '125', '201'])(
    'classifies business code %s as a permanent rejection',
    (code) => {
      expect(classifyGatewayResponse(http200({ maKetQua: code, thongDiep: 'x' }), 'submit')).toMatchObject({
        kind: 'permanent',
        code,
      });
    },
  );

  it.each(['500', '124'])('classifies business code %s as retryable', (code) => {
    expect(classifyGatewayResponse(http200({ maKetQua: code }), 'submit')).toMatchObject({
      kind: 'retryable',
      code,
    });
  });

  it('sends an unknown business code to an operator rather than guessing', () => {
    expect(classifyGatewayResponse(http200({ maKetQua: '999' }), 'submit')).toMatchObject({
      kind: 'needs-operator',
      code: '999',
    });
  });

  it('classifies an HTML 502 proxy page and an HTML page with HTTP 200 as retryable without crashing', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    expect(classifyGatewayResponse({ type: 'http', status: 502, body: html }, 'submit')).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_502',
    });
    expect(classifyGatewayResponse(http200(html), 'submit')).toMatchObject({
      kind: 'retryable',
      code: 'NON_JSON',
    });
    expect(classifyGatewayResponse(http200(''), 'submit')).toMatchObject({
      kind: 'retryable',
      code: 'NON_JSON',
    });
  });

  it('classifies HTTP 429 as retryable and HTTP 504 on a submission as ambiguous', () => {
    expect(classifyGatewayResponse({ type: 'http', status: 429, body: '' }, 'submit')).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_429',
    });
    expect(classifyGatewayResponse({ type: 'http', status: 504, body: '' }, 'submit').kind).toBe('ambiguous');
    expect(classifyGatewayResponse({ type: 'http', status: 504, body: '' }, 'lookup').kind).toBe('retryable');
  });

  it('classifies a failure before sending as retryable and after sending a claim as ambiguous', () => {
    expect(
      classifyGatewayResponse(
        { type: 'transport-error', sent: false, code: 'ECONNREFUSED', message: 'x' },
        'submit',
      ),
    ).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
    expect(
      classifyGatewayResponse(
        { type: 'transport-error', sent: false, code: 'CONNECT_TIMEOUT', message: 'x' },
        'submit',
      ).kind,
    ).toBe('retryable');
    expect(
      classifyGatewayResponse(
        { type: 'transport-error', sent: true, code: 'ECONNRESET', message: 'x' },
        'submit',
      ).kind,
    ).toBe('ambiguous');
    expect(
      classifyGatewayResponse(
        { type: 'transport-error', sent: true, code: 'TIMEOUT_AFTER_SEND', message: 'x' },
        'lookup',
      ).kind,
    ).toBe('retryable');
  });

  it('treats lookup card verdicts as answers, padding numeric codes back to three digits', () => {
    expect(classifyGatewayResponse(http200({ maKetQua: 0 }), 'lookup')).toMatchObject({
      kind: 'ok',
      maKetQua: '000',
    });
    expect(classifyGatewayResponse(http200({ maKetQua: '124' }), 'lookup')).toMatchObject({
      kind: 'ok',
      maKetQua: '124',
    });
    expect(classifyGatewayResponse(http200({ maKetQua: '101' }), 'lookup').kind).toBe('retryable');
    expect(classifyGatewayResponse(http200({ maKetQua: '205' }), 'lookup').kind).toBe('permanent');
  });
});

describe('parseGatewayBody', () => {
  it('reads PascalCase MaKetQua, tolerates a BOM and never throws on garbage', () => {
    expect(parseGatewayBody('\uFEFF{"MaKetQua":"200"}').maKetQua).toBe('200');
    expect(parseGatewayBody('[1,2]')).toEqual({ json: undefined, maKetQua: undefined });
    expect(parseGatewayBody('{not json')).toEqual({ json: undefined, maKetQua: undefined });
  });
});
