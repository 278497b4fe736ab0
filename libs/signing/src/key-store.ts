import * as pkcs11js from 'pkcs11js';
import type { CertificateInfo, ExpiryStatus } from './certificates';
import { DEFAULT_EXPIRY_WARNING_DAYS, daysToExpiry, expiryStatus, parseCertificate } from './certificates';
import { SigningError } from './errors';
import type { HsmObjectSummary, ObjectHandle, Pkcs11Hsm } from './pkcs11-hsm';
import type { FacilitySigner } from './signer';

export const FACILITY_LABEL_PREFIX = 'facility-';
export const facilityLabel = (facilityCode: string): string => `${FACILITY_LABEL_PREFIX}${facilityCode}`;

export interface KeyInfo {
  facilityCode: string;
  label: string;
  /** CKA_ID, hex */
  keyId: string;
  /** true for the key signerFor() picks for new documents */
  current: boolean;
  certificate?: {
    subject: string;
    issuer: string;
    sha256: string;
    serialNumber: string;
    notBefore: Date;
    notAfter: Date;
    daysToExpiry: number;
    status: ExpiryStatus;
  };
}

/** A facility key pair in the token with its certificate (if any). */
export interface FacilityKeyEntry {
  facilityCode: string;
  keyId: string;
  privateKey: ObjectHandle;
  publicKey?: ObjectHandle;
  certificateHandle?: ObjectHandle;
  certificate?: CertificateInfo;
}

export interface KeyStoreOptions {
  /** Days before expiry from which list() reports 'expiring' (default 30). */
  warnDays?: number;
  now?: () => Date;
}

/**
 * Facility keys in the HSM: the private key labelled `facility-<code>`, its certificate being the
 * CKO_CERTIFICATE with the same CKA_ID (or, for a lone key, the one with the same label).
 *
 * Several keys per facility can coexist during a rotation (rotateFacilityKey): new documents are
 * signed with the *current* key — the one whose certificate is valid now and has the latest
 * notBefore — while signerFor(code, { keyId }) still returns an older key until it is retired.
 */
export class FacilityKeyStore {
  private readonly cache = new Map<string, Promise<FacilitySigner>>();
  private readonly warnDays: number;
  private readonly now: () => Date;

  constructor(
    private readonly hsm: Pkcs11Hsm,
    opts: KeyStoreOptions = {},
  ) {
    this.warnDays = opts.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    this.now = opts.now ?? (() => new Date());
  }

  /** The signer for new documents of a facility (or a given key by id). Cached; see invalidate(). */
  async signerFor(facilityCode: string, opts: { keyId?: string } = {}): Promise<FacilitySigner> {
    const cacheKey = `${facilityCode}/${opts.keyId ?? ''}`;
    let p = this.cache.get(cacheKey);
    if (!p) {
      p = this.loadSigner(facilityCode, opts.keyId);
      this.cache.set(cacheKey, p);
      p.catch(() => this.cache.delete(cacheKey));
    }
    const signer = await p;
    const now = this.now();
    if (now > signer.certificate.notAfter) {
      this.cache.delete(cacheKey); // maybe rotated meanwhile: look again next time
      throw new SigningError(
        'CERT_EXPIRED',
        `the certificate of facility ${facilityCode} (key ${signer.keyId}) expired on ${signer.certificate.notAfter.toISOString()}`,
      );
    }
    return signer;
  }

  /** Forgets cached signers (after a rotation or an external change of the token). */
  invalidate(facilityCode?: string): void {
    for (const k of [...this.cache.keys()])
      if (facilityCode === undefined || k.startsWith(`${facilityCode}/`)) this.cache.delete(k);
  }

  /** Every facility key of the token with its certificate and expiry. */
  async list(): Promise<KeyInfo[]> {
    const objects = await this.hsm.findObjects([]);
    const codes = new Set(
      objects
        .filter((o) => o.objectClass === 'privateKey' && o.label.startsWith(FACILITY_LABEL_PREFIX))
        .map((o) => o.label.slice(FACILITY_LABEL_PREFIX.length)),
    );
    const now = this.now();
    const out: KeyInfo[] = [];
    for (const code of [...codes].sort()) {
      const entries = await this.entries(code, objects);
      const current = pickCurrent(entries, now);
      for (const e of entries) {
        const info: KeyInfo = {
          facilityCode: code,
          label: facilityLabel(code),
          keyId: e.keyId,
          current: e === current,
        };
        if (e.certificate) {
          const c = e.certificate;
          info.certificate = {
            subject: c.subject,
            issuer: c.issuer,
            sha256: c.sha256,
            serialNumber: c.serialNumber,
            notBefore: c.notBefore,
            notAfter: c.notAfter,
            daysToExpiry: daysToExpiry(c, now),
            status: expiryStatus(c, this.warnDays, now),
          };
        }
        out.push(info);
      }
    }
    return out;
  }

  /** Key pairs of one facility with their certificates, oldest certificate first. */
  async entries(facilityCode: string, all?: HsmObjectSummary[]): Promise<FacilityKeyEntry[]> {
    const label = facilityLabel(facilityCode);
    const objects = all ?? (await this.hsm.findObjects([{ type: pkcs11js.CKA_LABEL, value: label }]));
    const mine = objects.filter((o) => o.label === label);
    const keys = mine.filter((o) => o.objectClass === 'privateKey');
    const certs = mine.filter((o) => o.objectClass === 'certificate');
    const pubs = mine.filter((o) => o.objectClass === 'publicKey');
    const entries: FacilityKeyEntry[] = [];
    for (const k of keys) {
      const entry: FacilityKeyEntry = { facilityCode, keyId: k.id.toString('hex'), privateKey: k.handle };
      const pub = pubs.find((p) => p.id.equals(k.id));
      if (pub) entry.publicKey = pub.handle;
      const cert =
        certs.find((c) => c.id.equals(k.id)) ??
        (keys.length === 1 && certs.length === 1 ? certs[0] : undefined);
      if (cert) {
        entry.certificateHandle = cert.handle;
        entry.certificate = parseCertificate(await this.hsm.getAttribute(cert.handle, pkcs11js.CKA_VALUE));
      }
      entries.push(entry);
    }
    return entries.sort(
      (a, b) => (a.certificate?.notBefore.getTime() ?? 0) - (b.certificate?.notBefore.getTime() ?? 0),
    );
  }

  private async loadSigner(facilityCode: string, keyId?: string): Promise<FacilitySigner> {
    if (!/^[0-9A-Za-z]{1,16}$/.test(facilityCode))
      throw new SigningError('BAD_INPUT', `invalid facility code ${JSON.stringify(facilityCode)}`);
    const entries = await this.entries(facilityCode);
    if (entries.length === 0)
      throw new SigningError(
        'NO_KEY_FOR_FACILITY',
        `no key labelled ${facilityLabel(facilityCode)} in token '${this.hsm.tokenLabel}'`,
      );
    let entry: FacilityKeyEntry | undefined;
    if (keyId !== undefined) {
      entry = entries.find((e) => e.keyId === keyId.toLowerCase());
      if (!entry)
        throw new SigningError('NO_KEY_FOR_FACILITY', `facility ${facilityCode} has no key with id ${keyId}`);
    } else {
      entry = pickCurrent(entries, this.now());
      if (!entry) {
        const withCert = entries.filter((e) => e.certificate);
        if (withCert.length === 0)
          throw new SigningError(
            'NO_CERTIFICATE',
            `facility ${facilityCode} has a key but no certificate in the token`,
          );
        const last = withCert[withCert.length - 1]!.certificate!;
        if (this.now() > last.notAfter)
          throw new SigningError(
            'CERT_EXPIRED',
            `every certificate of facility ${facilityCode} has expired (latest on ${last.notAfter.toISOString()})`,
          );
        throw new SigningError(
          'CERT_NOT_YET_VALID',
          `no certificate of facility ${facilityCode} is valid yet`,
        );
      }
    }
    if (!entry.certificate)
      throw new SigningError(
        'NO_CERTIFICATE',
        `key ${entry.keyId} of facility ${facilityCode} has no certificate`,
      );
    const hsm = this.hsm;
    const handle = entry.privateKey;
    return {
      facilityCode,
      keyId: entry.keyId,
      certificate: entry.certificate,
      sign: (data: Buffer) => hsm.signSha256Rsa(handle, data),
    };
  }
}

/** The key for new documents: certificate valid at `now`, latest notBefore. */
export function pickCurrent(entries: FacilityKeyEntry[], now: Date): FacilityKeyEntry | undefined {
  let best: FacilityKeyEntry | undefined;
  for (const e of entries) {
    const c = e.certificate;
    if (!c || now < c.notBefore || now > c.notAfter) continue;
    if (!best || c.notBefore >= best.certificate!.notBefore) best = e;
  }
  return best;
}
