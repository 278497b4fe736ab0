import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { SigningError } from './errors';

export interface CertificateInfo {
  der: Buffer;
  pem: string;
  /** SHA-256 of the DER, lower-case hex (the "thumbprint" the gateway registers). */
  sha256: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
}

const DAY_MS = 86_400_000;

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Parses one certificate (DER bytes or a PEM string holding one certificate). */
export function parseCertificate(input: Buffer | string): CertificateInfo {
  let x: X509Certificate;
  try {
    x = new X509Certificate(input);
  } catch (e) {
    throw new SigningError('BAD_INPUT', `not an X.509 certificate: ${(e as Error).message}`);
  }
  return fromX509(x);
}

function fromX509(x: X509Certificate): CertificateInfo {
  const der = Buffer.from(x.raw);
  return {
    der,
    pem: derToPem(der),
    sha256: createHash('sha256').update(der).digest('hex'),
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    serialNumber: x.serialNumber,
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    isCa: x.ca,
  };
}

/** Every certificate of a PEM bundle, in file order (leaf first by convention). */
export function importPemChain(pem: string): CertificateInfo[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new SigningError('BAD_INPUT', 'no certificate in the PEM input');
  return blocks.map((b) => parseCertificate(b));
}

export interface Pkcs12Contents {
  /** Leaf first (the certificate whose public key matches the private key, when there is one). */
  certificates: CertificateInfo[];
  /** PKCS#8 PEM of the private key if the file carries one (to import into an HSM, then discard). */
  privateKeyPem?: string;
}

/** Reads a PKCS#12 (.p12/.pfx) file: certificate chain and optional private key. */
export function importPkcs12(data: Buffer, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn, false, password);
  } catch (e) {
    throw new SigningError(
      'BAD_INPUT',
      `cannot read the PKCS#12 file (wrong password or not PKCS#12): ${(e as Error).message}`,
    );
  }
  const certBags = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[
      forge.pki.oids['pkcs8ShroudedKeyBag']!
    ] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids['keyBag']! })[forge.pki.oids['keyBag']!] ?? []),
  ];
  const certificates = certBags
    .filter((b) => b.cert)
    .map((b) =>
      parseCertificate(
        Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'),
      ),
    );
  const key = keyBags.find((b) => b.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (key) {
    const modulus = key.n.toString(16);
    const leafIdx = certBags.findIndex(
      (b) => (b.cert?.publicKey as forge.pki.rsa.PublicKey | undefined)?.n.toString(16) === modulus,
    );
    if (leafIdx > 0) certificates.unshift(...certificates.splice(leafIdx, 1));
  }
  const result: Pkcs12Contents = { certificates: orderChain(certificates) };
  if (key)
    result.privateKeyPem = forge.pki.privateKeyInfoToPem(
      forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)),
    );
  return result;
}

/** Orders certificates leaf → root by following issuer links from the first one. */
function orderChain(certs: CertificateInfo[]): CertificateInfo[] {
  if (certs.length < 2) return certs;
  const rest = [...certs];
  const out = [rest.shift()!];
  for (;;) {
    const last = new X509Certificate(out[out.length - 1]!.der);
    const i = rest.findIndex(
      (c) => last.checkIssued(new X509Certificate(c.der)) && c.sha256 !== out[out.length - 1]!.sha256,
    );
    if (i < 0) break;
    out.push(...rest.splice(i, 1));
  }
  return [...out, ...rest];
}

export interface ChainValidation {
  valid: boolean;
  reason?: string;
}

/**
 * Validates leaf → … → trusted root: each certificate is within its validity period at `at`,
 * is signed by the next one, intermediates and the anchor are CAs, and the chain ends at (or is
 * issued by) one of `trusted`.
 */
export function validateChain(
  chain: CertificateInfo[],
  trusted: CertificateInfo[],
  at: Date = new Date(),
): ChainValidation {
  if (chain.length === 0) return { valid: false, reason: 'empty chain' };
  const xs = chain.map((c) => new X509Certificate(c.der));
  for (const [i, c] of chain.entries()) {
    if (at < c.notBefore)
      return {
        valid: false,
        reason: `certificate ${i} (${c.subject}) is not valid before ${c.notBefore.toISOString()}`,
      };
    if (at > c.notAfter)
      return {
        valid: false,
        reason: `certificate ${i} (${c.subject}) expired on ${c.notAfter.toISOString()}`,
      };
  }
  for (let i = 0; i + 1 < xs.length; i++) {
    const child = xs[i]!;
    const parent = xs[i + 1]!;
    if (!parent.ca)
      return { valid: false, reason: `certificate ${i + 1} (${chain[i + 1]!.subject}) is not a CA` };
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      return {
        valid: false,
        reason: `certificate ${i} (${chain[i]!.subject}) is not signed by certificate ${i + 1}`,
      };
    }
  }
  const top = xs[xs.length - 1]!;
  const topInfo = chain[chain.length - 1]!;
  for (const t of trusted) {
    if (t.sha256 === topInfo.sha256) return { valid: true };
    const tx = new X509Certificate(t.der);
    if (at < t.notBefore || at > t.notAfter) continue;
    if (tx.ca && top.checkIssued(tx) && top.verify(tx.publicKey)) return { valid: true };
  }
  return {
    valid: false,
    reason: `the chain does not end at a trusted certificate (top: ${topInfo.subject})`,
  };
}

/** Whole days until notAfter (negative once expired; 0 on the last day). */
export function daysToExpiry(cert: Pick<CertificateInfo, 'notAfter'>, now: Date = new Date()): number {
  return Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
}

export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'not-yet-valid';
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** 'expiring' when fewer than `warnDays` days remain. */
export function expiryStatus(
  cert: Pick<CertificateInfo, 'notAfter' | 'notBefore'>,
  warnDays: number = DEFAULT_EXPIRY_WARNING_DAYS,
  now: Date = new Date(),
): ExpiryStatus {
  if (now < cert.notBefore) return 'not-yet-valid';
  if (now > cert.notAfter) return 'expired';
  return daysToExpiry(cert, now) < warnDays ? 'expiring' : 'ok';
}

// ------------------------------------------------------------------ CSR with an external signer

export interface SubjectField {
  /** short name: CN, O, OU, L, ST, C, or an OID */
  name: string;
  value: string;
}

export interface RsaPublicKeyBytes {
  modulus: Buffer;
  publicExponent: Buffer;
}

function forgeAttrs(fields: SubjectField[]): forge.pki.CertificateField[] {
  return fields.map((f) => {
    const a: forge.pki.CertificateField = f.name.includes('.') ? { type: f.name } : { shortName: f.name };
    if (f.name === 'C') {
      a.value = f.value;
      a.valueTagClass = forge.asn1.Type.PRINTABLESTRING as unknown as forge.asn1.Class;
    } else {
      a.value = f.value; // forge encodes UTF8String values itself
      a.valueTagClass = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
    }
    return a;
  });
}

function forgeRsaPublicKey(k: RsaPublicKeyBytes): forge.pki.rsa.PublicKey {
  const big = (b: Buffer) => new forge.jsbn.BigInteger(b.toString('hex'), 16);
  return forge.pki.setRsaPublicKey(big(k.modulus), big(k.publicExponent));
}

/**
 * A PKCS#10 request whose signature is made by `sign` (RSA-SHA256 PKCS#1 v1.5 over the DER
 * CertificationRequestInfo) — typically the HSM, so the private key never leaves it.
 */
export async function buildCsr(
  subject: SubjectField[],
  publicKey: RsaPublicKeyBytes,
  sign: (data: Buffer) => Promise<Buffer>,
): Promise<string> {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forgeRsaPublicKey(publicKey);
  csr.setSubject(forgeAttrs(subject));
  const cri = (
    forge.pki as unknown as { getCertificationRequestInfo(c: typeof csr): forge.asn1.Asn1 }
  ).getCertificationRequestInfo(csr);
  const criDer = Buffer.from(forge.asn1.toDer(cri).getBytes(), 'binary');
  const signature = await sign(criDer);
  const mutable = csr as unknown as {
    certificationRequestInfo: forge.asn1.Asn1;
    signatureOid: string;
    signature: string;
  };
  mutable.certificationRequestInfo = cri;
  mutable.signatureOid = forge.pki.oids['sha256WithRSAEncryption']!;
  mutable.signature = signature.toString('binary');
  return forge.pki.certificationRequestToPem(csr);
}

// ------------------------------------------------------------------ dev CA

export interface IssueOptions {
  days?: number;
  notBefore?: Date;
  notAfter?: Date;
}

/**
 * The development CA: an RSA-2048 key and a self-signed certificate, kept together in
 * `<dir>/dev-ca.pem` (0600), the certificate alone in `<dir>/ca-cert.pem`. Created on first use,
 * atomically (two processes racing end up with the same CA).
 */
export class DevCa {
  private constructor(
    readonly certificate: CertificateInfo,
    private readonly key: forge.pki.rsa.PrivateKey,
    readonly certPath: string,
  ) {}

  static loadOrCreate(dir: string): DevCa {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const bundlePath = join(dir, 'dev-ca.pem');
    const certPath = join(dir, 'ca-cert.pem');
    let bundle: string;
    try {
      bundle = readFileSync(bundlePath, 'utf8');
    } catch {
      const tmp = `${bundlePath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, createCaBundle(), { mode: 0o600 });
      try {
        linkSync(tmp, bundlePath); // fails if another process won the race: then we use its CA
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(tmp);
      }
      bundle = readFileSync(bundlePath, 'utf8');
    }
    const keyPem = bundle.match(
      /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+?-----END (RSA )?PRIVATE KEY-----/,
    )?.[0];
    const certPem = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
    if (!keyPem || !certPem)
      throw new SigningError('BAD_INPUT', `${bundlePath} does not hold a key and a certificate`);
    const certificate = parseCertificate(certPem);
    writeFileSync(certPath, certificate.pem);
    chmodSync(bundlePath, 0o600);
    return new DevCa(certificate, forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, certPath);
  }

  /** Issues an end-entity signing certificate for a PKCS#10 request (signature checked). */
  issueFromCsr(csrPem: string, opts: IssueOptions = {}): CertificateInfo {
    const csr = forge.pki.certificationRequestFromPem(csrPem);
    if (!csr.verify())
      throw new SigningError('BAD_INPUT', 'the certificate request signature does not verify');
    const caCert = forge.pki.certificateFromPem(this.certificate.pem);
    const cert = forge.pki.createCertificate();
    cert.publicKey = csr.publicKey!;
    cert.serialNumber = randomSerial();
    const now = Date.now();
    cert.validity.notBefore = opts.notBefore ?? new Date(now - 5 * 60_000);
    cert.validity.notAfter = opts.notAfter ?? new Date(now + (opts.days ?? 365) * DAY_MS);
    // forge encodes UTF8String values on output but hands them back undecoded on input.
    cert.setSubject(
      csr.subject.attributes.map((a) =>
        a.valueTagClass === (forge.asn1.Type.UTF8 as unknown as forge.asn1.Class) &&
        typeof a.value === 'string'
          ? { ...a, value: forge.util.decodeUtf8(a.value) }
          : a,
      ),
    );
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.key, forge.md.sha256.create());
    return parseCertificate(forge.pki.certificateToPem(cert));
  }
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

function createCaBundle(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * DAY_MS);
  const subject = forgeAttrs([
    { name: 'CN', value: 'BHYT Platform Dev CA (not for production)' },
    { name: 'O', value: 'BHYT Health Book Platform (dev)' },
    { name: 'C', value: 'VN' },
  ]);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return `${forge.pki.certificateToPem(cert)}${keyPem}`;
}
