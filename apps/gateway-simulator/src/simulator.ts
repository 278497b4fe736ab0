import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { normaliseName, PROVINCES, seedCards, STATUS_CODE, type SyntheticCard } from './cards';
import {
  loadCertificateDir,
  normaliseConfig,
  type AccountConfig,
  type SimulatorConfig,
  type SimulatorConfigInput,
} from './config';
import { FaultEngine, type FaultAction, type FaultProfileInput, type RouteKind } from './faults';
import {
  registerCertificates,
  verifyFacilitySignature,
  type RegisteredCertificate,
  type SignatureVerdict,
} from './signature';
import { SimulatorState, type SubmissionRecord } from './state';
import {
  checkContent,
  decodeFile,
  Rejection,
  standardOfEndpoint,
  type RecordError,
  type SubmissionKind,
} from './validation';
import { vietnamCompact } from '@bhyt/contracts';

export interface GatewaySimulatorOptions {
  /** Default: env GATEWAY_SIMULATOR_PORT or 3199; 0 = ephemeral. */
  readonly port?: number;
  /** Default 127.0.0.1 (the admin API has no auth; never bind it publicly). */
  readonly host?: string;
  /** Config object; default: loaded by the caller (main.ts) from env. */
  readonly config?: SimulatorConfigInput;
  /** Registered certificates per facility code (PEM strings). Merged with certDir. */
  readonly certificates?: Record<string, readonly string[]>;
  /** Directory of `<facilityCode>.pem` files. */
  readonly certDir?: string;
  readonly logger?: Logger;
  /**
   * `production`: behave as the real gateway does — no lookup (/admin/lookup) and no result
   * routes (/admin/results…), since the real one has neither (spec §4.4, §7.2); results exist
   * only "on the portal". Default `development` (both routes, for the simulator-only paths).
   */
  readonly mode?: SimulatorMode;
}

export type SimulatorMode = 'development' | 'production';

/** Reads GATEWAY_SIMULATOR_MODE; anything but the two modes is refused with the variable named. */
export function simulatorModeFromEnv(value: string | undefined): SimulatorMode {
  if (value === undefined || value === '' || value === 'development') return 'development';
  if (value === 'production') return 'production';
  throw new Error(
    `GATEWAY_SIMULATOR_MODE must be "development" or "production", not ${JSON.stringify(value.slice(0, 40))}`,
  );
}

export interface SimulatorClock {
  now(): number;
  /** Shift simulated time by offsetMs relative to the real clock. */
  setOffset(offsetMs: number): void;
  /** Freeze simulated time at an instant (undefined → unfreeze). */
  freeze(at: number | undefined): void;
  advance(ms: number): void;
}

export interface SimulatorHandle {
  readonly url: string;
  readonly port: number;
  readonly state: SimulatorState;
  readonly config: SimulatorConfig;
  readonly faults: FaultEngine;
  readonly clock: SimulatorClock;
  readonly cards: readonly SyntheticCard[];
  /** Waits until every accepted submission reached `processed`. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const ROUTES: Record<string, { kind: RouteKind; submission?: SubmissionKind }> = {
  '/api/token/take': { kind: 'token' },
  '/api/qd130/checkInKcbQd4750': { kind: 'checkin', submission: 'checkin' },
  '/api/qd130/checkInKcbQd3176': { kind: 'checkin', submission: 'checkin' },
  '/api/qd130/checkInKcbQd130': { kind: 'checkin', submission: 'checkin' },
  '/api/qd130/guiHoSoXmlQD4750': { kind: 'submit', submission: 'record' },
  '/api/qd130/guiHoSoXmlQD3176': { kind: 'submit', submission: 'record' },
  '/api/qd130/guiHoSoXmlQD130': { kind: 'submit', submission: 'record' },
  '/api/egw/KQNhanLichSuKCB2024': { kind: 'lookup' },
  '/api/egw/Lskcb2025': { kind: 'lookup' },
};

const HTML_502 =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const HTML_500 =
  "<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application.</h1></body></html>";
const HTML_503 =
  '<html><head><title>503 Service Unavailable</title></head><body><h1>Hệ thống đang bảo trì</h1></body></html>';

type Json = Record<string, unknown>;

class HttpEnd extends Error {}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** yyyyMMddHHmmss (or a prefix length) in Vietnam local time (UTC+7, no DST). */
export function vnTime(ms: number, length = 14): string {
  return vietnamCompact(ms, length);
}

/** ISO-8601 UTC with 7 fractional digits, as the gateway's expires_in. */
export function isoTicks(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function clientIp(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function parseBody(raw: Buffer, contentType: string | undefined): Json | undefined {
  const text = raw.toString('utf8');
  if (/application\/json/i.test(contentType ?? '')) {
    try {
      const v: unknown = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
    } catch {
      return undefined;
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? ''))
    return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}

function str(body: Json | undefined, name: string): string {
  const v = body?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export async function startGatewaySimulator(options: GatewaySimulatorOptions = {}): Promise<SimulatorHandle> {
  const config = normaliseConfig(options.config ?? { facilities: [] });
  const logger = options.logger ?? pino({ level: 'silent' });
  const production = options.mode === 'production';
  const state = new SimulatorState(config.rawRetention);
  const faults = new FaultEngine(config.faults, config.seed);
  const certificates = new Map<string, RegisteredCertificate[]>();
  const addCerts = (facility: string, pems: readonly string[]): void => {
    certificates.set(facility, [...(certificates.get(facility) ?? []), ...registerCertificates(pems)]);
  };
  if (options.certDir)
    for (const [f, pems] of Object.entries(loadCertificateDir(options.certDir))) addCerts(f, pems);
  for (const [f, pems] of Object.entries(options.certificates ?? {})) addCerts(f, pems);
  const cards = seedCards(config.seed, config.cardPopulation, [...config.facilities.keys()]);
  const cardIndex = new Map(cards.map((c) => [c.maThe, c]));

  let offsetMs = 0;
  let frozenAt: number | undefined;
  const clock: SimulatorClock = {
    now: () => frozenAt ?? Date.now() + offsetMs,
    setOffset: (ms) => {
      offsetMs = ms;
    },
    freeze: (at) => {
      frozenAt = at;
    },
    advance: (ms) => {
      if (frozenAt !== undefined) frozenAt += ms;
      else offsetMs += ms;
    },
  };

  const timers = new Set<NodeJS.Timeout>();
  const pendingProcessing = new Set<string>();
  const drainWaiters: Array<() => void> = [];
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const settleDrain = (): void => {
    if (pendingProcessing.size === 0) for (const w of drainWaiters.splice(0)) w();
  };

  // ---------- responses ----------
  const send = (
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: string | Buffer,
  ): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const json = (res: http.ServerResponse, body: Json, status = 200): void =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  const business = (res: http.ServerResponse, code: string, extra: Json = {}): void =>
    json(res, { maKetQua: faults.code(code), ...extra });
  const fail = (res: http.ServerResponse, code: string, thongDiep: string): never => {
    business(res, code, { thongDiep });
    throw new HttpEnd();
  };

  // ---------- auth ----------
  const facilityOf = (account: AccountConfig): string | undefined => account.facility;
  const ipAllowed = (facility: string | undefined, ip: string): boolean => {
    const allowed = facility ? config.facilities.get(facility)?.allowedIps : undefined;
    return !allowed || allowed.includes(ip);
  };

  const checkToken = (
    res: http.ServerResponse,
    username: string,
    token: string,
    idToken: string,
    passwordHash: string,
  ): AccountConfig => {
    const account = config.accounts.get(username);
    const record = token ? state.tokens.get(token) : undefined;
    if (!account || !record || record.username !== username || record.idToken !== idToken)
      fail(res, '401', 'Chưa xác thực: token không hợp lệ');
    if (record!.expiresAtMs <= clock.now()) {
      state.tokens.delete(token);
      fail(res, '401', 'Phiên làm việc đã hết hạn');
    }
    if (passwordHash.toUpperCase() !== account!.passwordMd5)
      fail(res, '401', 'Chưa xác thực: mật khẩu không đúng');
    if (account!.locked) fail(res, '403', 'Tài khoản bị khóa');
    return account!;
  };

  const handleToken = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Json | undefined,
    fault: FaultAction | undefined,
  ): void => {
    state.stats.logins += 1;
    if (fault === 'business500') fail(res, '500', 'Lỗi hệ thống');
    const username = str(body, 'username');
    const password = str(body, 'password');
    const account = config.accounts.get(username);
    if (!account || password.toUpperCase() !== account.passwordMd5)
      fail(res, '401', 'Sai tên đăng nhập hoặc mật khẩu');
    if (account!.locked) fail(res, '403', 'Tài khoản bị khóa');
    const facility = facilityOf(account!);
    if (!facility) fail(res, '402', 'Tài khoản không gắn với cơ sở KCB');
    if (!ipAllowed(facility, clientIp(req))) fail(res, '403', 'Địa chỉ IP chưa được đăng ký');
    const issued = clock.now();
    const filetime = BigInt(issued) * 10_000n + 116_444_736_000_000_000n;
    const accessToken = Buffer.from(`${randomBytes(33).toString('base64')}:${username}:${filetime}`).toString(
      'base64',
    );
    const idToken = randomUUID();
    const expiresAtMs = issued + config.tokenLifetimeSeconds * 1000;
    state.tokens.set(accessToken, { username, idToken, expiresAtMs });
    logger.info({ route: 'token', facility }, 'token issued');
    business(res, '200', {
      APIKey: {
        access_token: accessToken,
        id_token: idToken,
        token_type: 'Bearer',
        username,
        expires_in: isoTicks(expiresAtMs),
      },
    });
  };

  // ---------- submissions ----------
  const handleSubmission = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    kind: SubmissionKind,
    raw: Buffer,
    fault: FaultAction | undefined,
  ): void => {
    if (url.searchParams.has('token') || url.searchParams.has('id_token'))
      fail(res, '401', 'Thông tin xác thực phải nằm trong header');
    const accessToken = String(req.headers['accesstoken'] ?? '');
    const tokenId = String(req.headers['tokenid'] ?? '');
    const passwordHash = String(req.headers['passwordhash'] ?? '');
    if (!/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      if (!accessToken) fail(res, '401', 'Chưa xác thực');
      state.reject('205');
      fail(res, '205', 'Dữ liệu phải gửi dạng application/x-www-form-urlencoded');
    }
    const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const username = form['username'] ?? '';
    if (!accessToken || !tokenId || !passwordHash)
      fail(res, '401', 'Chưa xác thực: thiếu accessToken/tokenId/passwordHash');
    if (fault === 'token401') {
      state.tokens.delete(accessToken);
      fail(res, '401', 'Phiên làm việc đã hết hạn');
    }
    const account = checkToken(res, username, accessToken, tokenId, passwordHash);
    const reject = (code: string, thongDiep: string): never => {
      state.reject(code);
      logger.info({ route: kind, code }, 'submission rejected');
      return fail(res, code, thongDiep);
    };
    for (const f of ['loaiHoSo', 'maTinh', 'maCSKCB']) if (!form[f]) reject('205', `Thiếu tham số ${f}`);
    if (form['fileHSBase64'] === undefined) reject('205', 'Thiếu tham số fileHSBase64'); // present but empty → 204 below
    const expectedLoai = kind === 'checkin' ? '0' : '130';
    if (form['loaiHoSo'] !== expectedLoai) reject('205', `loaiHoSo phải là ${expectedLoai}`);
    const maCSKCB = form['maCSKCB']!;
    if (account.facility !== maCSKCB) reject('402', 'Mã cơ sở KCB không thuộc tài khoản');
    if (form['maTinh'] !== maCSKCB.slice(0, 2)) reject('205', 'maTinh phải là 2 ký tự đầu của maCSKCB');
    if (!ipAllowed(maCSKCB, clientIp(req))) reject('403', 'Địa chỉ IP chưa được đăng ký');
    if (fault === 'business500') reject('500', 'Lỗi hệ thống');
    if (fault === 'business124') reject('124', 'Lỗi lưu dữ liệu');
    if (fault === 'business205') reject('205', 'Sai định dạng tham số');
    if (fault === 'business403') reject('403', 'Tài khoản bị khóa');

    const receivedAtMs = clock.now();
    let content;
    let bytes: Buffer;
    try {
      const decoded = decodeFile(form['fileHSBase64']!, config.maxFileBytes);
      bytes = decoded.bytes;
      content = checkContent(
        kind,
        decoded.doc,
        decoded.xmlText,
        maCSKCB,
        config.contentChecks,
        standardOfEndpoint(url.pathname),
      );
    } catch (e) {
      if (e instanceof Rejection) return reject(e.code, e.thongDiep);
      throw e;
    }
    if (!content.maLk) return reject('202', 'Không xác định được MA_LK');

    let signature: SignatureVerdict = { status: 'not-checked' };
    const asyncErrors: RecordError[] = [...content.asyncErrors];
    if (config.signaturePolicy !== 'off') {
      signature = verifyFacilitySignature(
        content.xmlText,
        content.doc,
        certificates.get(maCSKCB) ?? [],
        new Date(receivedAtMs),
      );
      if (signature.status === 'invalid') {
        if (config.signaturePolicy === 'enforce')
          return reject('202', `Chữ ký số không hợp lệ: ${signature.reason}`);
        asyncErrors.push({ check: 'signature', table: 'CHUKYDONVI', message: signature.reason });
      }
    }

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const previous = state.versionsOf(maCSKCB, kind, content.maLk);
    const sameContent = state.withContent(maCSKCB, content.maLk, sha256);
    const seq = state.nextSeq();
    const maGiaoDich = `GD-${maCSKCB}-${vnTime(receivedAtMs, 8)}-${pad(seq, 6)}`;
    const record: SubmissionRecord = {
      maGiaoDich,
      facility: maCSKCB,
      kind,
      endpoint: url.pathname,
      maLk: content.maLk,
      version: previous.length + 1,
      receivedAt: new Date(receivedAtMs).toISOString(),
      thoiGianTiepNhan: vnTime(receivedAtMs),
      sha256,
      sizeBytes: bytes.length,
      signature,
      status: 'received',
      errors: [],
      duplicateOf: sameContent[0],
      supersededBy: undefined,
      responseDropped: fault === 'acceptThenDrop' || fault === 'acceptThenHang',
      withdrawn: content.summary.withdrawn,
      summary: content.summary,
    };
    if (kind === 'record' && previous.length > 0) {
      const prev = state.submissions.get(previous[previous.length - 1]!);
      if (prev) prev.supersededBy = maGiaoDich;
    }
    if (record.duplicateOf) {
      state.stats.duplicates += 1;
      asyncErrors.push({
        check: 'duplicate',
        table: kind === 'record' ? 'GIAMDINHHS' : 'XML0',
        message: `same content as ${record.duplicateOf}`,
      });
    }
    state.add(record, bytes);
    state.stats.received += 1;
    state.stats.accepted += 1;
    pendingProcessing.add(maGiaoDich);
    later(config.processingDelayMs, () => {
      record.status = 'processing';
      later(config.processingDelayMs, () => {
        record.status = 'processed';
        record.errors = asyncErrors;
        pendingProcessing.delete(maGiaoDich);
        settleDrain();
      });
    });
    logger.info(
      { route: kind, facility: maCSKCB, maGiaoDich, version: record.version, signature: signature.status },
      'submission accepted',
    );
    if (fault === 'acceptThenDrop') {
      state.stats.droppedResponses += 1;
      req.socket.destroy();
      throw new HttpEnd();
    }
    if (fault === 'acceptThenHang') {
      // Recorded, but the answer never comes: the client times out after the gateway accepted.
      state.stats.droppedResponses += 1;
      later(faults.hangMs, () => req.socket.destroy());
      throw new HttpEnd();
    }
    business(res, '200', {
      maGiaoDich,
      thoiGianTiepNhan: record.thoiGianTiepNhan,
      thongDiep: 'Đã tiếp nhận hồ sơ',
    });
  };

  // ---------- card lookup ----------
  const historyFor = (maThe: string): Json[] => {
    const latest = new Map<string, SubmissionRecord>();
    for (const s of state.submissions.values()) {
      if (s.kind === 'record' && s.status === 'processed' && s.summary.maThe === maThe && !s.withdrawn)
        latest.set(`${s.facility}|${s.maLk}`, s);
    }
    return [...latest.values()].map((s) => ({
      maHoSo: s.maGiaoDich,
      maCSKCB: s.facility,
      ngayVao: s.summary.ngayVao ?? '',
      ngayRa: s.summary.ngayRa ?? '',
      tenBenh: s.summary.tenBenh ?? '',
      tinhTrang: s.summary.tinhTrang ?? '',
      kqDieuTri: s.summary.kqDieuTri ?? '',
      lyDoVV: s.summary.lyDoVV ?? '',
      TEMP1: '',
      TEMP2: '',
      TEMP3: '',
      TEMP4: '',
      TEMP5: '',
    }));
  };

  const handleLookup = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    raw: Buffer,
    fault: FaultAction | undefined,
  ): void => {
    state.stats.lookups += 1;
    const q = url.searchParams;
    if (!q.get('token') && req.headers['accesstoken'])
      fail(res, '401', 'Thông tin xác thực phải nằm trong query string');
    const username = q.get('username') ?? '';
    const account = checkToken(
      res,
      username,
      q.get('token') ?? '',
      q.get('id_token') ?? '',
      q.get('password') ?? '',
    );
    if (fault === 'token401') {
      state.tokens.delete(q.get('token') ?? '');
      fail(res, '401', 'Phiên làm việc đã hết hạn');
    }
    if (!ipAllowed(account.facility, clientIp(req))) fail(res, '403', 'Địa chỉ IP chưa được đăng ký');
    if (fault === 'lookup100') fail(res, '100', 'Lỗi khi lấy dữ liệu sổ thẻ');
    if (fault === 'lookup101') fail(res, '101', 'Lỗi server');
    if (fault === 'business500') fail(res, '500', 'Lỗi server');
    const body = parseBody(raw, req.headers['content-type']);
    const [maThe, hoTen, ngaySinh, hoTenCb, cccdCb] = ['maThe', 'hoTen', 'ngaySinh', 'hoTenCb', 'cccdCb'].map(
      (f) => str(body, f).trim(),
    ) as [string, string, string, string, string];
    const answer = (code: string, ghiChu: string, card?: SyntheticCard): void => {
      const traces = card
        ? state.traceLookup(card.maThe, {
            userKT: username,
            thoiGianKT: vnTime(clock.now(), 12),
            thongBao: ghiChu,
            maLoi: code,
          })
        : [];
      const lists = faults.nullLists;
      const fields: Json = card
        ? {
            maThe: card.maThe,
            hoTen: card.hoTen,
            ngaySinh: card.ngaySinh,
            gioiTinh: card.gioiTinh,
            diaChi: 'Địa chỉ tổng hợp (dữ liệu giả lập)',
            maDKBD: card.maDKBD,
            cqBHXH: `BHXH tỉnh ${card.maDKBD.slice(0, 2)}`,
            gtTheTu: card.gtTheTu,
            gtTheDen: card.gtTheDen,
            maKV: '',
            ngayDu5Nam: '',
            maSoBHXH: card.maThe.slice(5),
            maTheCu: card.maTheMoi !== card.maThe ? card.maThe : '',
            maTheMoi: card.maTheMoi,
            gtTheTuMoi: card.gtTheTu,
            gtTheDenMoi: card.gtTheDen,
            maDKBDMoi: card.maDKBD,
            tenDKBDMoi: config.facilities.get(card.maDKBD)?.name ?? '',
          }
        : {};
      if (url.pathname.endsWith('Lskcb2025')) {
        business(res, code, { ghiChu, dsLichSuKCB2025: lists || !card ? null : historyFor(card.maThe) });
        return;
      }
      business(res, code, {
        ghiChu,
        ...fields,
        dsLichSuKCB2018: lists || !card ? null : historyFor(card.maThe),
        dsLichSuKT2018: lists || !card ? null : traces.map((t) => ({ ...t })),
      });
    };
    const dateOk =
      /^\d{2}\/\d{2}\/\d{4}$/.test(ngaySinh) || (config.acceptBirthYearOnly && /^\d{4}$/.test(ngaySinh));
    if (!maThe || !hoTen || !ngaySinh || !hoTenCb || !cccdCb || !dateOk)
      return answer('205', 'Lỗi định dạng tham số');
    const staff = config.facilities.get(account.facility ?? '')?.staff ?? [];
    const member = staff.find((s) => s.cccd === cccdCb);
    if (!member) return answer('054', 'CCCD cán bộ tra cứu không có trong danh sách đăng ký');
    if (normaliseName(member.name) !== normaliseName(hoTenCb))
      return answer('055', 'Họ tên cán bộ không khớp CCCD');
    if (!/^[A-Z]{2}\d{13}$/.test(maThe)) return answer('051', 'Mã thẻ không đúng');
    if (!PROVINCES.has(maThe.slice(3, 5))) return answer('052', 'Mã tỉnh của thẻ không đúng');
    if (!/^[1-5]$/.test(maThe[2]!)) return answer('053', 'Mã quyền lợi không đúng');
    const card = cardIndex.get(maThe);
    if (!card) return answer('050', 'Không có thông tin thẻ');
    const given = normaliseName(hoTen);
    const actual = normaliseName(card.hoTen);
    if (given !== actual) return answer(given[0] === actual[0] ? '061' : '060', 'Họ tên không đúng', card);
    const dobOk = ngaySinh.length === 4 ? card.ngaySinh.endsWith(ngaySinh) : card.ngaySinh === ngaySinh;
    if (!dobOk) return answer('070', 'Ngày sinh không đúng', card);
    const code = STATUS_CODE[card.status];
    return answer(code, `Kết quả kiểm tra thẻ: ${code}`, card);
  };

  // ---------- admin ----------
  const summary = (s: SubmissionRecord): Json => ({
    maGiaoDich: s.maGiaoDich,
    facility: s.facility,
    kind: s.kind,
    endpoint: s.endpoint,
    maLk: s.maLk,
    version: s.version,
    receivedAt: s.receivedAt,
    thoiGianTiepNhan: s.thoiGianTiepNhan,
    sha256: s.sha256,
    sizeBytes: s.sizeBytes,
    signature: s.signature,
    status: s.status,
    errors: s.errors,
    duplicateOf: s.duplicateOf ?? null,
    supersededBy: s.supersededBy ?? null,
    responseDropped: s.responseDropped,
    withdrawn: s.withdrawn,
    rawAvailable: state.raw.has(s.maGiaoDich),
  });

  const handleAdmin = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: Buffer): void => {
    const p = url.pathname;
    const q = url.searchParams;
    const body = (): Json => {
      try {
        const v: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        return v !== null && typeof v === 'object' ? (v as Json) : {};
      } catch {
        json(res, { error: 'body must be JSON' }, 400);
        throw new HttpEnd();
      }
    };
    if (req.method === 'GET' && p === '/admin/submissions') {
      const facility = q.get('facility');
      const maLk = q.get('maLk');
      const limit = Number(q.get('limit') ?? 10_000);
      const list = [...state.submissions.values()].filter(
        (s) => (!facility || s.facility === facility) && (!maLk || s.maLk === maLk),
      );
      return json(res, { total: list.length, submissions: list.slice(-limit).map(summary) });
    }
    let m = /^\/admin\/submissions\/([^/]+)\/raw$/.exec(p);
    if (req.method === 'GET' && m) {
      const id = decodeURIComponent(m[1]!);
      if (!state.submissions.has(id)) return json(res, { error: 'unknown maGiaoDich' }, 404);
      const bytes = state.raw.get(id);
      if (!bytes) return json(res, { error: 'raw XML evicted (retention limit)' }, 410);
      return send(res, 200, 'application/xml', bytes);
    }
    // The real gateway has neither a lookup nor a result API: in production mode neither exists here.
    if (production && (p === '/admin/lookup' || p === '/admin/results' || p.startsWith('/admin/results/')))
      return json(res, { error: 'not found', mode: 'production' }, 404);
    if (req.method === 'GET' && p === '/admin/results') {
      // Many results in one request (?ids=a,b,c; at most 500): the platform's result poller asks
      // for a whole page of submitted claims at once instead of one request per claim.
      const ids = (q.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length === 0 || ids.length > 500)
        return json(res, { error: 'ids: 1 to 500 comma-separated maGiaoDich values' }, 400);
      const results: Record<string, unknown> = {};
      for (const id of ids) {
        const s = state.submissions.get(id);
        if (s && clock.now() - Date.parse(s.receivedAt) <= config.resultWindowDays * 86_400_000)
          results[id] = summary(s);
      }
      return json(res, {
        simulatorOnly: true,
        note: 'The real gateway shows results only on its portal; no API.',
        results,
      });
    }
    m = /^\/admin\/results\/([^/]+)$/.exec(p);
    if (req.method === 'GET' && m) {
      const s = state.submissions.get(decodeURIComponent(m[1]!));
      if (!s) return json(res, { error: 'unknown maGiaoDich' }, 404);
      if (clock.now() - Date.parse(s.receivedAt) > config.resultWindowDays * 86_400_000) {
        return json(res, { error: `results are searchable only ${config.resultWindowDays} days back` }, 404);
      }
      return json(res, {
        simulatorOnly: true,
        note: 'The real gateway shows results only on its portal; no API.',
        ...summary(s),
      });
    }
    if (req.method === 'GET' && p === '/admin/stats')
      return json(res, {
        ...state.stats,
        submissionsStored: state.submissions.size,
        rawStored: state.raw.size,
      });
    if (req.method === 'GET' && p === '/admin/lookup') {
      const facility = q.get('facility') ?? '';
      const maLk = q.get('maLk') ?? '';
      const sha = q.get('sha256') ?? '';
      if (!facility || !maLk || !/^[0-9a-fA-F]{64}$/.test(sha))
        return json(res, { error: 'facility, maLk and sha256 (hex) are required' }, 400);
      const ids = state.withContent(facility, maLk, sha);
      const subs = ids
        .map((id) => state.submissions.get(id)!)
        .map((s) => ({
          maGiaoDich: s.maGiaoDich,
          version: s.version,
          receivedAt: s.receivedAt,
          status: s.status,
        }));
      return json(res, { simulatorOnly: true, found: subs.length > 0, submissions: subs });
    }
    if (p === '/admin/faults' && req.method === 'GET') return json(res, faults.current as unknown as Json);
    if (p === '/admin/faults' && req.method === 'POST') {
      try {
        return json(res, faults.set(body() as FaultProfileInput) as unknown as Json);
      } catch (e) {
        if (e instanceof HttpEnd) throw e;
        return json(res, { error: (e as Error).message }, 400);
      }
    }
    if (p === '/admin/reset' && req.method === 'POST') {
      state.reset();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pendingProcessing.clear();
      settleDrain();
      faults.set(config.faults);
      clock.freeze(undefined);
      clock.setOffset(0);
      return json(res, { ok: true });
    }
    if (p === '/admin/clock' && req.method === 'POST') {
      const b = body();
      if (b['reset'] === true) {
        clock.freeze(undefined);
        clock.setOffset(0);
      }
      if (typeof b['offsetMs'] === 'number') clock.setOffset(b['offsetMs']);
      if (typeof b['now'] === 'string') clock.freeze(Date.parse(b['now']));
      if (b['now'] === null) clock.freeze(undefined);
      if (typeof b['advanceMs'] === 'number') clock.advance(b['advanceMs']);
      return json(res, { now: new Date(clock.now()).toISOString() });
    }
    if (p === '/admin/tokens/expire' && req.method === 'POST') {
      const n = state.tokens.size;
      state.tokens.clear();
      return json(res, { expired: n });
    }
    if (p === '/admin/certificates' && req.method === 'POST') {
      const b = body();
      if (typeof b['facility'] !== 'string' || typeof b['pem'] !== 'string')
        return json(res, { error: 'facility and pem are required' }, 400);
      try {
        addCerts(b['facility'], [b['pem']]);
      } catch (e) {
        return json(res, { error: (e as Error).message }, 400);
      }
      return json(res, {
        ok: true,
        facility: b['facility'],
        count: certificates.get(b['facility'])?.length ?? 0,
      });
    }
    if (p === '/admin/cards' && req.method === 'GET') return json(res, { synthetic: true, cards });
    if (p === '/admin/cards' && req.method === 'POST') {
      // Adds synthetic cards (e.g. the demo's patients) to the population; same maThe replaces.
      const list = body()['cards'];
      if (!Array.isArray(list)) return json(res, { error: 'cards must be an array' }, 400);
      const added: SyntheticCard[] = [];
      for (const c of list as Json[]) {
        const [maThe, hoTen, ngaySinh, maDKBD, gtTheTu, gtTheDen] = [
          'maThe',
          'hoTen',
          'ngaySinh',
          'maDKBD',
          'gtTheTu',
          'gtTheDen',
        ].map((f) => str(c, f));
        const status = (str(c, 'status') || 'valid') as SyntheticCard['status'];
        if (
          !/^[A-Z]{2}\d{13}$/.test(maThe!) ||
          !hoTen ||
          !/^\d{2}\/\d{2}\/\d{4}$/.test(ngaySinh!) ||
          !(status in STATUS_CODE)
        ) {
          return json(
            res,
            { error: 'each card needs maThe (15 chars), hoTen, ngaySinh dd/MM/yyyy and a known status' },
            400,
          );
        }
        added.push({
          maThe: maThe!,
          hoTen: hoTen!,
          ngaySinh: ngaySinh!,
          gioiTinh: str(c, 'gioiTinh') === 'Nữ' ? 'Nữ' : 'Nam',
          maDKBD: maDKBD!,
          gtTheTu: gtTheTu!,
          gtTheDen: gtTheDen!,
          status,
          maTheMoi: maThe!,
        });
      }
      for (const card of added) {
        const i = cards.findIndex((x) => x.maThe === card.maThe);
        if (i >= 0) cards[i] = card;
        else cards.push(card);
        cardIndex.set(card.maThe, card);
      }
      return json(res, { ok: true, added: added.length, population: cards.length });
    }
    json(res, { error: 'not found' }, 404);
  };

  // ---------- dispatch ----------
  const maxBody = Math.ceil(config.maxFileBytes * 1.4) + 1024 * 1024;
  const readBody = (req: http.IncomingMessage): Promise<Buffer | undefined> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) tooBig = true;
        else chunks.push(c);
      });
      req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const sleep = (ms: number): Promise<void> => new Promise((r) => later(ms, r));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    if (rawUrl.startsWith('//')) return json(res, { error: 'not found' }, 404);
    const url = new URL(rawUrl, 'http://simulator.local');
    const raw = await readBody(req);
    if (url.pathname === '/health' && req.method === 'GET')
      return json(res, { status: 'ok', simulator: 'bhyt-gateway' });
    if (url.pathname.startsWith('/admin/')) return handleAdmin(req, res, url, raw ?? Buffer.alloc(0));
    const route = ROUTES[url.pathname];
    if (!route) return json(res, { error: 'not found' }, 404);
    if (req.method !== 'POST') return json(res, { error: 'method not allowed' }, 405);
    if (raw === undefined) {
      state.reject('1001');
      return business(res, '1001', { thongDiep: 'Dung lượng file vượt quá giới hạn' });
    }
    if (faults.inMaintenance(clock.now())) return send(res, 503, 'text/html', HTML_503);
    const delay = faults.latencyMs(route.kind);
    if (delay > 0) await sleep(delay);
    if (faults.rateLimited(clientIp(req), clock.now()))
      return send(res, 429, 'text/plain', 'Too Many Requests');
    const fault = faults.pick(route.kind);
    switch (fault) {
      case 'http5xx':
        return send(res, 502, 'text/html', HTML_502);
      case 'http500':
        return send(res, 500, 'text/html', HTML_500);
      case 'rateLimit':
        return send(res, 429, 'text/plain', 'Too Many Requests');
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        await sleep(faults.hangMs);
        req.socket.destroy();
        return;
      default:
        break;
    }
    if (route.kind === 'token')
      return handleToken(req, res, parseBody(raw, req.headers['content-type']), fault);
    if (route.kind === 'lookup') return handleLookup(req, res, url, raw, fault);
    return handleSubmission(req, res, url, route.submission!, raw, fault);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpEnd) return;
      logger.error({ err: (e as Error).message }, 'simulator error');
      send(res, 500, 'text/html', HTML_500);
    });
  });
  server.keepAliveTimeout = 5_000;

  const envPort = Number(process.env['GATEWAY_SIMULATOR_PORT'] ?? 3199);
  const port = options.port ?? envPort;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  logger.info(
    {
      url,
      facilities: config.facilities.size,
      signaturePolicy: config.signaturePolicy,
      mode: options.mode ?? 'development',
    },
    'gateway simulator listening',
  );

  return {
    url,
    port: address.port,
    state,
    config,
    faults,
    clock,
    cards,
    drain: () =>
      new Promise<void>((resolve) => {
        if (pendingProcessing.size === 0) resolve();
        else drainWaiters.push(resolve);
      }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pendingProcessing.clear();
      settleDrain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
