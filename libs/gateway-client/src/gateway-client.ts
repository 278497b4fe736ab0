import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AccountResolver, GatewayAccount } from './accounts';
import {
  classifyGatewayResponse,
  type Classification,
  type FailureOutcome,
  type GatewayOperation,
  type GatewayOutcome,
} from './classify';
import { parseExpiresIn } from './expiry';
import { post } from './transport';

import { standardFor, type StandardId } from '@bhyt/xml130';
import { vietnamCompact } from '@bhyt/contracts';

/** Endpoint names of one edition of the standard (bhyt-gateway.md §2.1, xml3176.md §6). */
export type EndpointFamily = StandardId;
/** `auto`: the family of the edition in force on the day the encounter ended (xml130 standards.ts). */
export type EndpointFamilyOption = EndpointFamily | 'auto';

const ENDPOINTS: Record<EndpointFamily, { claim: string; checkin: string }> = {
  '4750': { claim: '/api/qd130/guiHoSoXmlQD4750', checkin: '/api/qd130/checkInKcbQd4750' },
  '3176': { claim: '/api/qd130/guiHoSoXmlQD3176', checkin: '/api/qd130/checkInKcbQd3176' },
};

/** The endpoint family for a document: forced by configuration, or that of the edition of its date. */
export function endpointFamilyFor(
  option: EndpointFamilyOption,
  encounterDate: Date | undefined,
): EndpointFamily {
  if (option !== 'auto') return option;
  return standardFor(encounterDate ? vietnamDay(encounterDate) : '');
}

/** yyyyMMdd of an instant in Vietnam time (UTC+7), the zone of NGAY_RA. */
function vietnamDay(d: Date): string {
  return vietnamCompact(d, 8);
}

/** Structured logger subset (pino-compatible). Only non-sensitive fields are ever passed. */
export interface GatewayClientLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface GatewayClientOptions {
  /** e.g. https://egw.baohiemxahoi.gov.vn (no trailing path). */
  readonly baseUrl: string;
  readonly accounts: AccountResolver;
  /**
   * Endpoint names: `auto` (default) sends to …QD3176/…Qd3176 for encounters that ended from
   * 01/01/2025 and to …QD4750/…Qd4750 for earlier ones (re-sends); `4750`/`3176` force one.
   */
  readonly endpointFamily?: EndpointFamilyOption;
  /** Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default 30 000 ms. */
  readonly totalTimeoutMs?: number;
  /** Refresh a cached token this long before its expires_in. Default 60 000 ms. */
  readonly tokenRefreshMarginMs?: number;
  /** Used when expires_in is unreadable. Default 5 minutes. */
  readonly fallbackTokenLifetimeMs?: number;
  readonly now?: () => number;
  readonly logger?: GatewayClientLogger;
  /**
   * Enables `reconcile()` against the simulator's admin lookup. The real gateway has no such
   * API; leave unset in production.
   */
  readonly simulatorAdminBaseUrl?: string;
}

export interface SubmitRequest {
  readonly facilityCode: string;
  /** Named per-person account; omitted → the facility's account from the resolver. */
  readonly account?: string;
  /** The complete signed XML file (GIAMDINHHS envelope or XML0), sent byte for byte. */
  readonly signedXml: Buffer | string;
  /** End of the encounter (claims) or the check-in's admission: chooses the endpoint family under `auto`. */
  readonly encounterDate?: Date;
}

export interface CardLookupRequest {
  readonly facilityCode: string;
  readonly account?: string;
  readonly maThe: string;
  readonly hoTen: string;
  /** dd/MM/yyyy (or yyyy when only the year is known). */
  readonly ngaySinh: string;
  readonly hoTenCb: string;
  readonly cccdCb: string;
}

export type CardLookupOutcome =
  | { kind: 'answered'; maKetQua: string; card: Record<string, unknown> }
  | Exclude<FailureOutcome, { kind: 'ambiguous' }>;

export interface ReconcileRequest {
  readonly facilityCode: string;
  readonly maLk: string;
  readonly signedXml?: Buffer | string;
  readonly sha256?: string;
}

export interface ReconcileResult {
  readonly found: boolean;
  readonly submissions: ReadonlyArray<{
    maGiaoDich: string;
    version: number;
    receivedAt: string;
    status: string;
  }>;
}

interface CachedToken {
  readonly accessToken: string;
  readonly idToken: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

type Credentials = GatewayAccount & CachedToken;
type LoginResult = { ok: true; token: CachedToken } | { ok: false; outcome: FailureOutcome };

export class GatewayClient {
  private readonly base: URL;
  private readonly family: EndpointFamilyOption;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly refreshMarginMs: number;
  private readonly fallbackLifetimeMs: number;
  private readonly now: () => number;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflightLogins = new Map<string, Promise<LoginResult>>();
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  /** Logins performed, for observability and tests. */
  loginCount = 0;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = new URL(options.baseUrl);
    this.family = options.endpointFamily ?? 'auto';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.totalTimeoutMs = options.totalTimeoutMs ?? 30_000;
    this.refreshMarginMs = options.tokenRefreshMarginMs ?? 60_000;
    this.fallbackLifetimeMs = options.fallbackTokenLifetimeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Sends the encounter record (loaiHoSo=130). */
  submitClaim(request: SubmitRequest): Promise<GatewayOutcome> {
    return this.submit(
      ENDPOINTS[endpointFamilyFor(this.family, request.encounterDate)].claim,
      '130',
      request,
    );
  }

  /** Sends the check-in table XML0 (loaiHoSo=0). */
  submitCheckin(request: SubmitRequest): Promise<GatewayOutcome> {
    return this.submit(
      ENDPOINTS[endpointFamilyFor(this.family, request.encounterDate)].checkin,
      '0',
      request,
    );
  }

  /** Card and visit-history lookup (KQNhanLichSuKCB2024): credentials in the query string, JSON body. */
  async lookupCard(request: CardLookupRequest): Promise<CardLookupOutcome> {
    const account = await this.options.accounts.resolve(request.facilityCode, request.account);
    const body = JSON.stringify({
      maThe: request.maThe,
      hoTen: request.hoTen,
      ngaySinh: request.ngaySinh,
      hoTenCb: request.hoTenCb,
      cccdCb: request.cccdCb,
    });
    const result = await this.withToken(account, 'lookup', request.facilityCode, (creds) => {
      const url = new URL('/api/egw/KQNhanLichSuKCB2024', this.base);
      url.searchParams.set('token', creds.accessToken);
      url.searchParams.set('id_token', creds.idToken);
      url.searchParams.set('username', creds.username);
      url.searchParams.set('password', creds.passwordMd5);
      return this.send(url, { 'content-type': 'application/json; charset=utf-8' }, body);
    });
    if (result.kind === 'ok') return { kind: 'answered', maKetQua: result.maKetQua, card: result.body };
    if (result.kind === 'accepted' || result.kind === 'ambiguous') {
      return { kind: 'retryable', code: 'UNEXPECTED', reason: 'lookup answer could not be interpreted' };
    }
    return result;
  }

  /** Whether `reconcile()` can be asked at all (a simulator lookup is configured). */
  get canReconcile(): boolean {
    return this.options.simulatorAdminBaseUrl !== undefined;
  }

  /**
   * SIMULATOR ONLY. Asks the simulator whether it received (facility, MA_LK, document sha256).
   * The real gateway offers no such API: against production an ambiguous failure is resolved by
   * re-sending the same version, which the gateway treats as a superseding re-send of the same
   * content.
   */
  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    if (!this.options.simulatorAdminBaseUrl) {
      throw new Error(
        'reconcile() needs simulatorAdminBaseUrl; the real BHYT gateway has no reconciliation API — re-send the same version instead',
      );
    }
    const sha256 =
      request.sha256 ??
      (request.signedXml !== undefined
        ? createHash('sha256').update(toBuffer(request.signedXml)).digest('hex')
        : undefined);
    if (!sha256) throw new Error('reconcile() needs signedXml or sha256');
    const url = new URL('/admin/lookup', this.options.simulatorAdminBaseUrl);
    url.searchParams.set('facility', request.facilityCode);
    url.searchParams.set('maLk', request.maLk);
    url.searchParams.set('sha256', sha256);
    const res = await fetch(url, { signal: AbortSignal.timeout(this.totalTimeoutMs) });
    // 404: a simulator in production mode, which (like the real gateway) has no lookup.
    if (res.status === 404) throw new LookupUnavailableError();
    if (!res.ok) throw new Error(`simulator lookup failed with HTTP ${res.status}`);
    return (await res.json()) as ReconcileResult;
  }

  /** Drops every cached token (e.g. after rotating passwords). */
  clearTokens(): void {
    this.tokens.clear();
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async submit(path: string, loaiHoSo: '0' | '130', request: SubmitRequest): Promise<GatewayOutcome> {
    const started = this.now();
    const account = await this.options.accounts.resolve(request.facilityCode, request.account);
    const fileHSBase64 = toBuffer(request.signedXml).toString('base64');
    const result = await this.withToken(account, 'submit', request.facilityCode, (creds) => {
      const form = new URLSearchParams({
        username: creds.username,
        loaiHoSo,
        maTinh: request.facilityCode.slice(0, 2),
        maCSKCB: request.facilityCode,
        fileHSBase64,
      });
      return this.send(
        new URL(path, this.base),
        {
          'content-type': 'application/x-www-form-urlencoded',
          accessToken: creds.accessToken,
          tokenId: creds.idToken,
          passwordHash: creds.passwordMd5,
        },
        form.toString(),
      );
    });
    const outcome: GatewayOutcome =
      result.kind === 'ok' ? { kind: 'ambiguous', reason: 'unexpected success shape' } : result;
    this.options.logger?.info(
      {
        facility: request.facilityCode,
        operation: loaiHoSo === '0' ? 'checkin' : 'claim',
        endpoint: path,
        outcome: outcome.kind,
        ...('code' in outcome ? { code: outcome.code } : {}),
        ...(outcome.kind === 'accepted' ? { maGiaoDich: outcome.maGiaoDich } : {}),
        durationMs: this.now() - started,
      },
      'gateway submission finished',
    );
    return outcome;
  }

  /** Runs a call with a cached token; on a business 401 drops it, logs in once more, retries once. */
  private async withToken(
    account: GatewayAccount,
    operation: GatewayOperation,
    facilityCode: string,
    call: (creds: Credentials) => Promise<Classification>,
  ): Promise<Exclude<Classification, { kind: 'reauthenticate' }>> {
    let login = await this.token(account, false);
    if (!login.ok) return login.outcome;
    const first = await call({ ...account, ...login.token });
    if (first.kind !== 'reauthenticate') return first;

    this.options.logger?.warn(
      { facility: facilityCode, operation },
      'gateway answered 401; logging in again and retrying once',
    );
    // When a token expires under many concurrent calls, each of them gets a 401. The first one
    // logs in again; the others reuse that fresh token instead of dropping it and logging in
    // once more each (a login storm that can itself trip the gateway's rate limit).
    const current = this.tokens.get(account.username);
    if (current && current.accessToken !== login.token.accessToken) {
      login = { ok: true, token: current };
    } else {
      this.tokens.delete(account.username);
      login = await this.token(account, true);
      if (!login.ok) return login.outcome;
    }
    const second = await call({ ...account, ...login.token });
    if (second.kind === 'reauthenticate') {
      return { kind: 'needs-operator', code: '401', reason: '401 again after a fresh login' };
    }
    return second;
  }

  private async send(url: URL, headers: Record<string, string>, body: string): Promise<Classification> {
    const operation: GatewayOperation = url.pathname.startsWith('/api/egw/') ? 'lookup' : 'submit';
    const observation = await post(
      { url, headers, body, connectTimeoutMs: this.connectTimeoutMs, totalTimeoutMs: this.totalTimeoutMs },
      this.agents,
    );
    return classifyGatewayResponse(observation, operation);
  }

  private token(account: GatewayAccount, forceFresh: boolean): Promise<LoginResult> {
    const cached = this.tokens.get(account.username);
    // A lifetime shorter than the margin would mean a login before every call: refresh at
    // half the lifetime instead.
    const margin = cached ? Math.min(this.refreshMarginMs, (cached.expiresAtMs - cached.issuedAtMs) / 2) : 0;
    if (!forceFresh && cached && this.now() < cached.expiresAtMs - margin) {
      return Promise.resolve({ ok: true, token: cached });
    }
    const inflight = this.inflightLogins.get(account.username);
    if (inflight) return inflight;
    const p = this.login(account).finally(() => this.inflightLogins.delete(account.username));
    this.inflightLogins.set(account.username, p);
    return p;
  }

  private async login(account: GatewayAccount): Promise<LoginResult> {
    this.loginCount += 1;
    const form = new URLSearchParams({ username: account.username, password: account.passwordMd5 });
    const observation = await post(
      {
        url: new URL('/api/token/take', this.base),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        connectTimeoutMs: this.connectTimeoutMs,
        totalTimeoutMs: this.totalTimeoutMs,
      },
      this.agents,
    );
    const result = classifyGatewayResponse(observation, 'login');
    if (result.kind !== 'ok') {
      if (result.kind === 'accepted' || result.kind === 'ambiguous' || result.kind === 'reauthenticate') {
        return {
          ok: false,
          outcome: { kind: 'retryable', code: 'LOGIN_UNEXPECTED', reason: 'unexpected login answer' },
        };
      }
      return { ok: false, outcome: result };
    }
    const apiKey = result.body['APIKey'] ?? result.body['apiKey'];
    if (apiKey === null || typeof apiKey !== 'object') {
      return {
        ok: false,
        outcome: { kind: 'retryable', code: 'LOGIN_NO_APIKEY', reason: 'login answer 200 without APIKey' },
      };
    }
    const key = apiKey as Record<string, unknown>;
    const accessToken = key['access_token'];
    const idToken = key['id_token'];
    if (typeof accessToken !== 'string' || typeof idToken !== 'string' || !accessToken || !idToken) {
      return {
        ok: false,
        outcome: {
          kind: 'retryable',
          code: 'LOGIN_NO_TOKEN',
          reason: 'login answer without access_token/id_token',
        },
      };
    }
    const now = this.now();
    const expiresAtMs = parseExpiresIn(key['expires_in'], now) ?? now + this.fallbackLifetimeMs;
    const token: CachedToken = { accessToken, idToken, issuedAtMs: now, expiresAtMs };
    this.tokens.set(account.username, token);
    return { ok: true, token };
  }
}

/** The gateway (or a simulator in production mode) offers no lookup: re-send the same version. */
export class LookupUnavailableError extends Error {
  constructor() {
    super('the gateway has no lookup API; re-send the same version');
    this.name = 'LookupUnavailableError';
  }
}

function toBuffer(xml: Buffer | string): Buffer {
  return typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
}
