import { createHash } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { HsmConfig } from './config';
import { SigningError } from './errors';
import { SessionPool } from './session-pool';

/**
 * How an RSA-SHA256 (PKCS#1 v1.5) signature is asked from the token:
 * - 'CKM_SHA256_RSA_PKCS': the token hashes the message itself;
 * - 'CKM_RSA_PKCS': we hash in Node and send the 51-byte DER DigestInfo (less data on the wire,
 *   worth trying on a network HSM).
 * Both give byte-identical signatures (PKCS#1 v1.5 is deterministic). On SoftHSM the two are
 * within measurement noise (bench/sign-bench.ts measures both; the winner changed between runs),
 * so the default is CKM_RSA_PKCS: it sends the least data, which is what matters on a network HSM.
 */
export type RsaSignMechanism = 'CKM_SHA256_RSA_PKCS' | 'CKM_RSA_PKCS';
export const DEFAULT_SIGN_MECHANISM: RsaSignMechanism = 'CKM_RSA_PKCS';

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export type ObjectHandle = Buffer;

export interface HsmObjectSummary {
  handle: ObjectHandle;
  objectClass: 'privateKey' | 'publicKey' | 'certificate' | 'other';
  label: string;
  id: Buffer;
}

export interface RsaPublicKeyParts {
  modulus: Buffer;
  publicExponent: Buffer;
}

export interface OpenOptions {
  signMechanism?: RsaSignMechanism;
}

const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_USER_FUNCTIONS = 3;

/** One C_Initialize per module per process, shared by every Pkcs11Hsm of this process. */
interface LoadedModule {
  p11: pkcs11js.PKCS11;
  users: number;
  /** token slot (hex) -> number of Pkcs11Hsm logged in on it */
  logins: Map<string, number>;
}
const modules = new Map<string, LoadedModule>();

function loadModule(modulePath: string): LoadedModule {
  const existing = modules.get(modulePath);
  if (existing) {
    existing.users++;
    return existing;
  }
  const p11 = new pkcs11js.PKCS11();
  try {
    p11.load(modulePath);
  } catch (e) {
    throw new SigningError('HSM_UNAVAILABLE', `cannot load the PKCS#11 module ${modulePath}: ${errText(e)}`, {
      cause: e,
    });
  }
  try {
    // Without CKF_OS_LOCKING_OK the module assumes a single thread; pkcs11js runs async calls on
    // libuv worker threads, so concurrent sessions would crash.
    p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (e) {
    if (!(e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
      safe(() => p11.close());
      throw new SigningError('HSM_UNAVAILABLE', `C_Initialize failed: ${errText(e)}`, { cause: e });
    }
  }
  const m: LoadedModule = { p11, users: 1, logins: new Map() };
  modules.set(modulePath, m);
  return m;
}

function releaseModule(modulePath: string, m: LoadedModule): void {
  m.users--;
  if (m.users > 0) return;
  modules.delete(modulePath);
  safe(() => m.p11.C_Finalize());
  safe(() => m.p11.close());
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    /* best effort during clean-up */
  }
}

/** Error text from pkcs11js without anything the caller passed in (the PIN never reaches it). */
function errText(e: unknown): string {
  if (e instanceof pkcs11js.Pkcs11Error) return `${e.message} (${e.method || 'pkcs11'})`;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function pkcs11ErrorCode(e: unknown): number | undefined {
  return e instanceof pkcs11js.Pkcs11Error ? e.code : undefined;
}

/**
 * A logged-in PKCS#11 token with a pool of sessions. Each session carries one operation at a
 * time; signing runs on libuv worker threads (async C_Sign) so the event loop is not blocked.
 */
export class Pkcs11Hsm {
  private closed = false;
  private reopening?: Promise<void>;
  readonly signMechanism: RsaSignMechanism;

  private constructor(
    private readonly cfg: Omit<HsmConfig, 'pin'>,
    private readonly pin: string,
    private readonly mod: LoadedModule,
    private slotHandle: Buffer,
    private pool: SessionPool<Buffer>,
    opts: OpenOptions,
  ) {
    this.signMechanism = opts.signMechanism ?? DEFAULT_SIGN_MECHANISM;
  }

  /** The token's slot (it can change when the HSM is reopened). */
  get slot(): Buffer {
    return this.slotHandle;
  }

  static async open(cfg: HsmConfig, opts: OpenOptions = {}): Promise<Pkcs11Hsm> {
    const sessions = Math.max(1, Math.floor(cfg.sessions));
    const mod = loadModule(cfg.modulePath);
    const p11 = mod.p11;
    const opened: Buffer[] = [];
    let slotKey: string | undefined;
    try {
      const slot = findTokenSlot(p11, cfg.tokenLabel);
      for (let i = 0; i < sessions; i++) {
        opened.push(p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      }
      slotKey = slot.toString('hex');
      const logins = mod.logins.get(slotKey) ?? 0;
      if (logins === 0) {
        try {
          // The login state is per token and process: one login serves every session.
          p11.C_Login(opened[0]!, pkcs11js.CKU_USER, cfg.pin);
        } catch (e) {
          if (pkcs11ErrorCode(e) !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
            const code = pkcs11ErrorCode(e);
            const reason =
              code === pkcs11js.CKR_PIN_INCORRECT
                ? 'the PIN is incorrect'
                : code === pkcs11js.CKR_PIN_LOCKED
                  ? 'the PIN is locked'
                  : errText(e);
            throw new SigningError('HSM_UNAVAILABLE', `login to token '${cfg.tokenLabel}' failed: ${reason}`);
          }
        }
      }
      mod.logins.set(slotKey, logins + 1);
      const { pin, ...rest } = cfg;
      // The PIN stays in this object for reopen() after an HSM failure; it is never logged.
      return new Pkcs11Hsm(rest, pin, mod, slot, new SessionPool(opened), opts);
    } catch (e) {
      for (const s of opened) safe(() => p11.C_CloseSession(s));
      releaseModule(cfg.modulePath, mod);
      if (e instanceof SigningError) throw e;
      throw new SigningError('HSM_UNAVAILABLE', `cannot open token '${cfg.tokenLabel}': ${errText(e)}`, {
        cause: e,
      });
    }
  }

  get tokenLabel(): string {
    return this.cfg.tokenLabel;
  }

  get poolSize(): number {
    return this.pool.size;
  }

  /** Low-level access for provisioning code; the callback gets an exclusive session. */
  withSession<R>(fn: (p11: pkcs11js.PKCS11, session: Buffer) => Promise<R> | R): Promise<R> {
    this.assertOpen();
    return this.pool.use((s) => fn(this.mod.p11, s));
  }

  /** RSA-SHA256 PKCS#1 v1.5 signature of `data` with the private key `key`. */
  async signSha256Rsa(key: ObjectHandle, data: Buffer): Promise<Buffer> {
    if (this.signMechanism === 'CKM_RSA_PKCS') {
      const digestInfo = Buffer.concat([
        SHA256_DIGEST_INFO_PREFIX,
        createHash('sha256').update(data).digest(),
      ]);
      return this.rawSign(key, pkcs11js.CKM_RSA_PKCS, digestInfo);
    }
    return this.rawSign(key, pkcs11js.CKM_SHA256_RSA_PKCS, data);
  }

  /** C_SignInit + async C_Sign in one pooled session. */
  rawSign(key: ObjectHandle, mechanism: number, input: Buffer): Promise<Buffer> {
    return this.withSession(
      (p11, session) =>
        new Promise<Buffer>((resolve, reject) => {
          try {
            p11.C_SignInit(session, { mechanism }, key);
            p11.C_Sign(session, input, Buffer.alloc(512), (err, sig) => {
              if (err)
                reject(new SigningError('HSM_ERROR', `C_Sign failed: ${errText(err)}`, { cause: err }));
              else resolve(Buffer.from(sig));
            });
          } catch (e) {
            reject(new SigningError('HSM_ERROR', `C_SignInit failed: ${errText(e)}`, { cause: e }));
          }
        }),
    );
  }

  async findObjects(template: pkcs11js.Template): Promise<HsmObjectSummary[]> {
    return this.withSession((p11, s) => {
      p11.C_FindObjectsInit(s, template);
      const handles: Buffer[] = [];
      try {
        for (;;) {
          const batch = p11.C_FindObjects(s, 64);
          if (batch.length === 0) break;
          handles.push(...batch);
        }
      } finally {
        p11.C_FindObjectsFinal(s);
      }
      return handles.map((h) => {
        const [cls, label, id] = p11.C_GetAttributeValue(s, h, [
          { type: pkcs11js.CKA_CLASS },
          { type: pkcs11js.CKA_LABEL },
          { type: pkcs11js.CKA_ID },
        ]);
        const c = cls!.value!.readUInt32LE(0);
        const objectClass =
          c === pkcs11js.CKO_PRIVATE_KEY
            ? 'privateKey'
            : c === pkcs11js.CKO_PUBLIC_KEY
              ? 'publicKey'
              : c === pkcs11js.CKO_CERTIFICATE
                ? 'certificate'
                : 'other';
        return {
          handle: h,
          objectClass,
          label: label!.value!.toString('utf8'),
          id: Buffer.from(id!.value ?? Buffer.alloc(0)),
        };
      });
    });
  }

  async getAttribute(handle: ObjectHandle, type: number): Promise<Buffer> {
    return this.withSession((p11, s) =>
      Buffer.from(p11.C_GetAttributeValue(s, handle, [{ type }])[0]!.value!),
    );
  }

  async getRsaPublicKey(handle: ObjectHandle): Promise<RsaPublicKeyParts> {
    return this.withSession((p11, s) => {
      const [m, e] = p11.C_GetAttributeValue(s, handle, [
        { type: pkcs11js.CKA_MODULUS },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT },
      ]);
      return { modulus: Buffer.from(m!.value!), publicExponent: Buffer.from(e!.value!) };
    });
  }

  /**
   * RSA key pair generated inside the token: the private key is a token object, private,
   * sensitive, never extractable; CKA_ID is chosen by the caller (we use SHA-1 of the modulus
   * after generation, see key-store.ts), so a temporary ID is set first and updated after.
   */
  async generateRsaKeyPair(
    label: string,
    id: Buffer,
    bits = 2048,
  ): Promise<{ privateKey: ObjectHandle; publicKey: ObjectHandle }> {
    return this.withSession(async (p11, s) => {
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
      ];
      const pub: pkcs11js.Template = [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: false },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ];
      const priv: pkcs11js.Template = [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
      ];
      try {
        return await p11.C_GenerateKeyPairAsync(
          s,
          { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
          pub,
          priv,
        );
      } catch (e) {
        throw new SigningError('HSM_ERROR', `C_GenerateKeyPair failed: ${errText(e)}`, { cause: e });
      }
    });
  }

  async setAttributes(handle: ObjectHandle, template: pkcs11js.Template): Promise<void> {
    await this.withSession((p11, s) => p11.C_SetAttributeValue(s, handle, template));
  }

  /** Stores an X.509 certificate (DER) as a token object. */
  async createCertificate(
    label: string,
    id: Buffer,
    der: Buffer,
    subject: Buffer,
    issuer: Buffer,
    serial: Buffer,
  ): Promise<ObjectHandle> {
    return this.withSession((p11, s) => {
      try {
        return p11.C_CreateObject(s, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
          { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: false },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_ID, value: id },
          { type: pkcs11js.CKA_SUBJECT, value: subject },
          { type: pkcs11js.CKA_ISSUER, value: issuer },
          { type: pkcs11js.CKA_SERIAL_NUMBER, value: serial },
          { type: pkcs11js.CKA_VALUE, value: der },
        ]);
      } catch (e) {
        throw new SigningError('HSM_ERROR', `C_CreateObject (certificate) failed: ${errText(e)}`, {
          cause: e,
        });
      }
    });
  }

  async destroyObject(handle: ObjectHandle): Promise<void> {
    await this.withSession((p11, s) => p11.C_DestroyObject(s, handle));
  }

  /**
   * Readiness: the token is present and logged in. Never waits for a busy pool: when every
   * session is signing, the HSM is evidently reachable.
   */
  async health(): Promise<boolean> {
    if (this.closed || this.pool.isClosed) return false;
    try {
      const info = this.mod.p11.C_GetTokenInfo(this.slot);
      if ((info.flags & pkcs11js.CKF_USER_PIN_LOCKED) !== 0) return false;
      const s = this.pool.tryAcquire();
      if (s === undefined) return true;
      try {
        const st = this.mod.p11.C_GetSessionInfo(s).state;
        return st === CKS_RW_USER_FUNCTIONS || st === CKS_RO_USER_FUNCTIONS;
      } finally {
        this.pool.release(s);
      }
    } catch {
      return false;
    }
  }

  /**
   * After an HSM failure (token gone, network HSM restarted, sessions invalid): waits for the
   * operations in flight to fail or finish, then starts the PKCS#11 library over — C_Finalize and
   * C_Initialize, because a library that lost its token keeps answering from its stale state
   * (SoftHSM: CKR_GENERAL_ERROR, CKR_OBJECT_HANDLE_INVALID until re-initialised) — finds the token
   * again, logs in and opens a fresh pool. Object handles of the old sessions must be looked up
   * again (FacilityKeyStore.invalidate). Throws HSM_UNAVAILABLE while the token is still missing;
   * callers retry (HsmSupervisor). One reopen at a time; concurrent callers share it. The module
   * is shared by the process, so other Pkcs11Hsm of the same module must reopen too.
   */
  reopen(): Promise<void> {
    this.assertOpen();
    this.reopening ??= this.doReopen().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private async doReopen(): Promise<void> {
    const old = this.pool;
    await old.drain();
    const p11 = this.mod.p11;
    for (const s of old.items) safe(() => p11.C_CloseSession(s));
    safe(() => p11.C_Finalize());
    this.mod.logins.clear();
    try {
      p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      if (pkcs11ErrorCode(e) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)
        throw new SigningError('HSM_UNAVAILABLE', `C_Initialize failed: ${errText(e)}`, { cause: e });
    }
    const opened: Buffer[] = [];
    try {
      const slot = findTokenSlot(p11, this.cfg.tokenLabel);
      for (let i = 0; i < old.size; i++)
        opened.push(p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      try {
        p11.C_Login(opened[0]!, pkcs11js.CKU_USER, this.pin);
      } catch (e) {
        if (pkcs11ErrorCode(e) !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN)
          throw new SigningError(
            'HSM_UNAVAILABLE',
            `login to token '${this.cfg.tokenLabel}' failed: ${errText(e)}`,
          );
      }
      this.mod.logins.set(slot.toString('hex'), 1);
      this.slotHandle = slot;
      this.pool = new SessionPool(opened);
    } catch (e) {
      for (const s of opened) safe(() => p11.C_CloseSession(s));
      // Leave a closed pool behind: operations fail fast with HSM_CLOSED until the next reopen.
      if (e instanceof SigningError) throw e;
      throw new SigningError(
        'HSM_UNAVAILABLE',
        `cannot reopen token '${this.cfg.tokenLabel}': ${errText(e)}`,
        { cause: e },
      );
    }
  }

  /** Waits for in-flight operations, logs out (if last user of the token), closes sessions, finalizes (if last user of the module). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reopening?.catch(() => undefined);
    await this.pool.drain();
    const p11 = this.mod.p11;
    const slotKey = this.slot.toString('hex');
    const logins = (this.mod.logins.get(slotKey) ?? 1) - 1;
    if (logins <= 0) {
      this.mod.logins.delete(slotKey);
      safe(() => p11.C_Logout(this.pool.items[0]!));
    } else {
      this.mod.logins.set(slotKey, logins);
    }
    for (const s of this.pool.items) safe(() => p11.C_CloseSession(s));
    releaseModule(this.cfg.modulePath, this.mod);
  }

  private assertOpen(): void {
    if (this.closed) throw new SigningError('HSM_CLOSED', 'the HSM connection is closed');
  }
}

function findTokenSlot(p11: pkcs11js.PKCS11, label: string): Buffer {
  const slots = p11.C_GetSlotList(true);
  for (const slot of slots) {
    const info = p11.C_GetTokenInfo(slot);
    if (info.label.trim() === label) return slot;
  }
  throw new SigningError(
    'HSM_UNAVAILABLE',
    `no token labelled '${label}' (run: bash scripts/stack.sh up hsm)`,
  );
}
