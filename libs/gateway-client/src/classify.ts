/**
 * The one place that decides what a gateway answer (or the lack of one) means.
 *
 * The gateway answers HTTP 200 for most business outcomes and puts the verdict in `maKetQua`
 * (a string, sometimes a number). Proxies in front of it answer HTML. Networks fail before or
 * after the request left this process. Every such observation maps to exactly one outcome kind:
 *
 * | Observation                                                    | submit           | login            | lookup           |
 * |----------------------------------------------------------------|------------------|------------------|------------------|
 * | transport error / timeout BEFORE the request was sent           | retryable        | retryable        | retryable        |
 * | transport error / timeout AFTER the request was sent            | ambiguous        | retryable        | retryable        |
 * | HTTP 429 (rate limited)                                         | retryable        | retryable        | retryable        |
 * | HTTP 504 (proxy gave up waiting for the gateway)                | ambiguous        | retryable        | retryable        |
 * | other HTTP 5xx, or any non-JSON body (HTML proxy page)          | retryable        | retryable        | retryable        |
 * | other HTTP 4xx (wrong path, proxy refusal)                      | needs-operator   | needs-operator   | needs-operator   |
 * | maKetQua 200 with maGiaoDich, message of reception (or none)     | accepted         | (token issued)   | —                |
 * | maKetQua 200 with maGiaoDich, any other message (success.ts)     | needs-operator   | —                | —                |
 * | maKetQua 200 without maGiaoDich                                 | ambiguous        | —                | —                |
 * | maKetQua 401, first time                                        | reauthenticate   | needs-operator   | reauthenticate   |
 * | maKetQua 401 again after one re-login                           | needs-operator   | needs-operator   | needs-operator   |
 * | maKetQua 402 (facility/account mismatch), 403 (locked/denied)   | needs-operator   | needs-operator   | needs-operator   |
 * | maKetQua 500, 124 (server failed to save), lookup 100/101       | retryable        | retryable        | retryable        |
 * | maKetQua 123, 125, 201, 202, 204, 205, 701, 1001                 | permanent        | permanent        | permanent (205)  |
 * | lookup card codes 000…130 (card verdicts), 054/055 included     | —                | —                | answered         |
 * | any other maKetQua                                              | needs-operator   | needs-operator   | needs-operator   |
 *
 * `reauthenticate` is internal: the client drops the token, logs in once more and retries
 * exactly once; callers never see it.
 */

export type GatewayOutcome =
  | { kind: 'accepted'; maGiaoDich: string; thoiGianTiepNhan: string; thongDiep?: string }
  | { kind: 'retryable'; code: string; reason: string }
  | { kind: 'ambiguous'; reason: string }
  | { kind: 'permanent'; code: string; reason: string }
  | { kind: 'needs-operator'; code: string; reason: string };

export type FailureOutcome = Exclude<GatewayOutcome, { kind: 'accepted' }>;

export type GatewayOperation = 'submit' | 'login' | 'lookup';

export type TransportObservation =
  | { type: 'transport-error'; sent: boolean; code: string; message: string }
  | { type: 'http'; status: number; contentType?: string; body: string };

export interface ParsedBody {
  readonly json: Record<string, unknown> | undefined;
  readonly maKetQua: string | undefined;
}

export type Classification =
  | GatewayOutcome
  | { kind: 'reauthenticate'; code: '401'; reason: string }
  | { kind: 'ok'; maKetQua: string; body: Record<string, unknown> };

import { messageConfirmsReception, UNCONFIRMED_SUCCESS_CODE } from './success';

const PERMANENT_CODES = new Set(['123', '125', '201', '202', '204', '205', '701', '1001']);
const RETRYABLE_CODES = new Set(['500', '124']);
const OPERATOR_CODES = new Set(['402', '403']);
const LOOKUP_RETRYABLE = new Set(['100', '101', '500']);
const LOOKUP_ANSWER = /^(0\d\d|1[1-3]\d)$/; // 000…099 and 110…139 are card verdicts

const MAX_REASON = 200;

/** Reads `maKetQua` (any casing, string or number) from a body without ever throwing. */
export function parseGatewayBody(body: string): ParsedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch {
    return { json: undefined, maKetQua: undefined };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { json: undefined, maKetQua: undefined };
  const json = parsed as Record<string, unknown>;
  const raw = json['maKetQua'] ?? json['MaKetQua'] ?? json['maketqua'];
  let maKetQua: string | undefined;
  if (typeof raw === 'string' && raw.trim() !== '') maKetQua = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) maKetQua = String(raw);
  return { json, maKetQua };
}

/** Numeric codes lose their leading zeros (`0` for `"000"`); card-lookup codes are 3 digits. */
function normaliseLookupCode(code: string): string {
  return /^\d{1,2}$/.test(code) ? code.padStart(3, '0') : code;
}

function message(json: Record<string, unknown> | undefined): string {
  const m = json?.['thongDiep'] ?? json?.['ThongDiep'] ?? json?.['ghiChu'];
  return typeof m === 'string' ? m.slice(0, MAX_REASON) : '';
}

function snippet(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 80);
}

/**
 * Pure: maps one observation to an outcome. `afterRelogin` says the request was already
 * retried once after a fresh login, so another 401 means an operator must look.
 */
export function classifyGatewayResponse(
  observation: TransportObservation,
  operation: GatewayOperation,
  afterRelogin = false,
): Classification {
  if (observation.type === 'transport-error') {
    if (observation.sent && operation === 'submit') {
      return {
        kind: 'ambiguous',
        reason: `${observation.code} after the request was sent; the gateway may hold the claim — reconcile before re-sending`,
      };
    }
    return {
      kind: 'retryable',
      code: observation.code,
      reason:
        `${observation.code} ${observation.sent ? 'after' : 'before'} the request was sent: ${observation.message}`.slice(
          0,
          MAX_REASON,
        ),
    };
  }

  const { status, body } = observation;
  if (status === 429)
    return { kind: 'retryable', code: 'HTTP_429', reason: 'rate limited by the gateway or a proxy' };
  if (status === 504 && operation === 'submit') {
    return {
      kind: 'ambiguous',
      reason: 'HTTP 504 from a proxy: the gateway may have received the claim — reconcile before re-sending',
    };
  }
  if (status >= 500)
    return { kind: 'retryable', code: `HTTP_${status}`, reason: `HTTP ${status}: ${snippet(body)}` };
  if (status >= 400 || status < 200 || status >= 300) {
    return {
      kind: 'needs-operator',
      code: `HTTP_${status}`,
      reason: `unexpected HTTP ${status}: ${snippet(body)}`,
    };
  }

  const { json, maKetQua } = parseGatewayBody(body);
  if (json === undefined) {
    return { kind: 'retryable', code: 'NON_JSON', reason: `non-JSON answer (proxy page?): ${snippet(body)}` };
  }
  if (maKetQua === undefined) {
    return operation === 'submit'
      ? { kind: 'ambiguous', reason: 'JSON answer without maKetQua after the claim was sent' }
      : { kind: 'retryable', code: 'NO_CODE', reason: 'JSON answer without maKetQua' };
  }
  const thongDiep = message(json);
  const code = operation === 'lookup' ? normaliseLookupCode(maKetQua) : maKetQua;

  if (code === '401') {
    return afterRelogin
      ? { kind: 'needs-operator', code: '401', reason: `401 again after a fresh login: ${thongDiep}`.trim() }
      : operation === 'login'
        ? {
            kind: 'needs-operator',
            code: '401',
            reason: `login refused (unknown account or wrong password) ${thongDiep}`.trim(),
          }
        : { kind: 'reauthenticate', code: '401', reason: 'token rejected or expired' };
  }
  if (OPERATOR_CODES.has(code))
    return { kind: 'needs-operator', code, reason: thongDiep || `maKetQua ${code}` };

  if (operation === 'lookup') {
    if (LOOKUP_RETRYABLE.has(code))
      return { kind: 'retryable', code, reason: thongDiep || `maKetQua ${code}` };
    if (code === '205') return { kind: 'permanent', code, reason: thongDiep || 'parameter format error' };
    if (LOOKUP_ANSWER.test(code)) return { kind: 'ok', maKetQua: code, body: json };
    return { kind: 'needs-operator', code, reason: `unknown lookup maKetQua ${code}` };
  }

  if (code === '200') {
    if (operation === 'login') return { kind: 'ok', maKetQua: code, body: json };
    const maGiaoDich = json['maGiaoDich'] ?? json['MaGD'];
    const time = json['thoiGianTiepNhan'] ?? json['ThoiGianTiepNhan'];
    if ((typeof maGiaoDich !== 'string' && typeof maGiaoDich !== 'number') || String(maGiaoDich) === '') {
      return { kind: 'ambiguous', reason: 'maKetQua 200 without maGiaoDich' };
    }
    if (!messageConfirmsReception(thongDiep)) {
      return {
        kind: 'needs-operator',
        code: UNCONFIRMED_SUCCESS_CODE,
        reason:
          `maKetQua 200 with maGiaoDich ${String(maGiaoDich)} but the message does not confirm reception: ${thongDiep}`.slice(
            0,
            MAX_REASON,
          ),
      };
    }
    const accepted: GatewayOutcome = {
      kind: 'accepted',
      maGiaoDich: String(maGiaoDich),
      thoiGianTiepNhan: typeof time === 'string' || typeof time === 'number' ? String(time) : '',
    };
    return thongDiep ? { ...accepted, thongDiep } : accepted;
  }
  if (RETRYABLE_CODES.has(code)) return { kind: 'retryable', code, reason: thongDiep || `maKetQua ${code}` };
  if (PERMANENT_CODES.has(code)) return { kind: 'permanent', code, reason: thongDiep || `maKetQua ${code}` };
  return {
    kind: 'needs-operator',
    code,
    reason: `unknown maKetQua ${code}${thongDiep ? `: ${thongDiep}` : ''}`,
  };
}
