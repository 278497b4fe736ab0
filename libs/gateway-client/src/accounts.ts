import { createHash } from 'node:crypto';

/** Credentials for one gateway account. The password only ever exists here as its MD5 hash. */
export interface GatewayAccount {
  readonly username: string;
  /** MD5 of the plain password, upper-case hex (the guide's form; the gateway compares case-insensitively). */
  readonly passwordMd5: string;
}

/** Resolves the account to use for a facility (optionally a named per-person account). */
export interface AccountResolver {
  resolve(facilityCode: string, account?: string): Promise<GatewayAccount>;
}

/** A secret source (vault, mounted files, environment): returns undefined when the name is absent. */
export interface SecretSource {
  get(name: string): Promise<string | undefined> | string | undefined;
}

export class UnknownFacilityAccountError extends Error {
  constructor(
    readonly facilityCode: string,
    detail: string,
  ) {
    super(
      `No gateway account configured for facility ${facilityCode}: ${detail}. There is no default account by design.`,
    );
    this.name = 'UnknownFacilityAccountError';
  }
}

export function md5UpperHex(plain: string): string {
  return createHash('md5').update(plain, 'utf8').digest('hex').toUpperCase();
}

const FACILITY_CODE = /^[0-9A-Z]{5}$/;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;

/**
 * Reads `<prefix><facilityCode>_USERNAME` and `<prefix><facilityCode>_PASSWORD_MD5` (or, for
 * development, `<prefix><facilityCode>_PASSWORD` which is hashed here) from a secret source.
 * A named account `a` is read from `<prefix><facilityCode>_<A>_USERNAME` etc. Missing → error,
 * never a fallback to another facility's or a shared account.
 */
export function secretSourceAccountResolver(source: SecretSource, prefix = 'BHYT_GATEWAY_'): AccountResolver {
  return {
    async resolve(facilityCode: string, account?: string): Promise<GatewayAccount> {
      if (!FACILITY_CODE.test(facilityCode))
        throw new UnknownFacilityAccountError(facilityCode, 'not a 5-character facility code');
      const key = account
        ? `${prefix}${facilityCode}_${account.toUpperCase().replace(/[^0-9A-Z]/g, '_')}`
        : `${prefix}${facilityCode}`;
      const username = await source.get(`${key}_USERNAME`);
      if (!username) throw new UnknownFacilityAccountError(facilityCode, `secret ${key}_USERNAME is missing`);
      const hashed = await source.get(`${key}_PASSWORD_MD5`);
      if (hashed) {
        if (!MD5_HEX.test(hashed))
          throw new UnknownFacilityAccountError(
            facilityCode,
            `secret ${key}_PASSWORD_MD5 is not 32 hex digits`,
          );
        return { username, passwordMd5: hashed.toUpperCase() };
      }
      const plain = await source.get(`${key}_PASSWORD`);
      if (!plain)
        throw new UnknownFacilityAccountError(facilityCode, `secret ${key}_PASSWORD_MD5 is missing`);
      return { username, passwordMd5: md5UpperHex(plain) };
    },
  };
}

export interface StaticAccountEntry {
  readonly username: string;
  readonly password?: string;
  readonly passwordMd5?: string;
}

/** In-memory map facility → account(s). For tests and development; production uses a secret source. */
export function staticAccountResolver(
  entries: Record<string, StaticAccountEntry | readonly StaticAccountEntry[]>,
): AccountResolver {
  return {
    resolve(facilityCode: string, account?: string): Promise<GatewayAccount> {
      const raw = entries[facilityCode];
      if (raw === undefined)
        return Promise.reject(
          new UnknownFacilityAccountError(facilityCode, 'facility not in the account map'),
        );
      const list: readonly StaticAccountEntry[] = Array.isArray(raw)
        ? (raw as readonly StaticAccountEntry[])
        : [raw as StaticAccountEntry];
      const entry = account ? list.find((e) => e.username === account) : list[0];
      if (!entry)
        return Promise.reject(
          new UnknownFacilityAccountError(facilityCode, 'named account not configured for this facility'),
        );
      const passwordMd5 =
        entry.passwordMd5?.toUpperCase() ??
        (entry.password !== undefined ? md5UpperHex(entry.password) : undefined);
      if (!passwordMd5)
        return Promise.reject(new UnknownFacilityAccountError(facilityCode, 'account has no password'));
      return Promise.resolve({ username: entry.username, passwordMd5 });
    },
  };
}
