import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';

/**
 * The web page's own login, kept apart from the rest of the service so that it can move to the
 * platform's shared authentication: users with scrypt password hashes and server-side sessions
 * (only the SHA-256 of the session token is stored) in the reporting database, a HttpOnly
 * SameSite=Strict cookie in the browser. Nothing else in reporting depends on it.
 */
export const SESSION_COOKIE = 'bhyt_reporting_session';
const SESSION_HOURS = 8;
const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: { N: number; r: number; p: number },
) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The session token from a Cookie header, if present. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export const sessionCookie = (token: string, secure: boolean): string =>
  `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
export const clearedSessionCookie = `${SESSION_COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * The password of the bootstrap user, read from a file — or, on a development machine where the
 * file does not exist yet, a random one written there (mode 600). Never logged.
 */
export function bootstrapPassword(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(12).toString('base64url'), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err; // another service wrote it first
    }
  }
  const pw = readFileSync(file, 'utf8').trim();
  if (pw.length < 8) throw new Error('the reporting web password file holds fewer than 8 characters');
  return pw;
}

export class WebAuth {
  constructor(private readonly ds: DataSource) {}

  async setUser(username: string, password: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO web_users (username, password_hash) VALUES ($1, $2) ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
      [username, await hashPassword(password)],
    );
  }

  /** A new session token, or undefined for an unknown user or a wrong password (same answer). */
  async login(username: string, password: string): Promise<string | undefined> {
    const rows: Array<{ password_hash: string }> = await this.ds.query(
      `SELECT password_hash FROM web_users WHERE username = $1`,
      [username],
    );
    // Verify against a dummy hash for unknown users so that timing does not tell which exist.
    const ok = await verifyPassword(password, rows[0]?.password_hash ?? DUMMY_HASH);
    if (!rows[0] || !ok) return undefined;
    const token = randomBytes(32).toString('base64url');
    await this.ds.query(`DELETE FROM web_sessions WHERE expires_at < now()`);
    await this.ds.query(
      `INSERT INTO web_sessions (token_sha256, username, expires_at) VALUES ($1, $2, now() + interval '${SESSION_HOURS} hours')`,
      [sha256(token), username],
    );
    return token;
  }

  /** The user of a valid session. */
  async user(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    const rows: Array<{ username: string }> = await this.ds.query(
      `SELECT username FROM web_sessions WHERE token_sha256 = $1 AND expires_at > now()`,
      [sha256(token)],
    );
    return rows[0]?.username;
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.ds.query(`DELETE FROM web_sessions WHERE token_sha256 = $1`, [sha256(token)]);
  }
}

const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
