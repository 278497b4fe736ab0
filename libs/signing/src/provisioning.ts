import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import forge from 'node-forge';
import type { CertificateInfo, DevCa, IssueOptions } from './certificates';
import { buildCsr, derToPem, parseCertificate } from './certificates';
import { SigningError } from './errors';
import { FacilityKeyStore, facilityLabel, pickCurrent } from './key-store';
import type { FacilityKeyEntry } from './key-store';
import type { ObjectHandle, Pkcs11Hsm } from './pkcs11-hsm';

export interface FacilityIdentity {
  code: string;
  /** Legal name (Vietnamese, UTF-8) for the certificate subject CN/O. */
  name: string;
  province?: string;
}

export interface ProvisionOptions {
  ca: DevCa;
  /** Where `<code>.pem` is exported (normally $STATE_DIR/certs); omitted = no export. */
  certDir?: string;
  issue?: IssueOptions;
  /** Rotate when the current certificate has fewer days left than this (default 0: only when none is valid). */
  renewWithinDays?: number;
}

export type ProvisionStatus = 'created' | 'exists' | 'certificate-added' | 'rotated';

export interface ProvisionResult {
  facilityCode: string;
  status: ProvisionStatus;
  keyId: string;
  certificate: CertificateInfo;
  pemPath?: string;
}

function subjectOf(f: FacilityIdentity): Array<{ name: string; value: string }> {
  const s = [
    { name: 'CN', value: f.name },
    { name: 'OU', value: `MA_CSKCB ${f.code}` },
    { name: 'O', value: f.name },
  ];
  if (f.province) s.push({ name: 'ST', value: f.province });
  s.push({ name: 'C', value: 'VN' });
  return s;
}

/** DER pieces of a certificate that PKCS#11 stores as attributes (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER). */
function certificateAttributes(der: Buffer): { subject: Buffer; issuer: Buffer; serial: Buffer } {
  const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  const off = fields[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const d = (a: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary');
  return { serial: d(fields[off]!), issuer: d(fields[off + 2]!), subject: d(fields[off + 4]!) };
}

/**
 * Generates an RSA-2048 key pair inside the HSM (private key sensitive, not extractable),
 * sets CKA_ID = SHA-1 of the modulus on both halves, builds a PKCS#10 request signed by the HSM,
 * has the dev CA issue the certificate and stores it in the token with the same CKA_ID and label.
 */
export async function createFacilityKey(
  hsm: Pkcs11Hsm,
  facility: FacilityIdentity,
  opts: ProvisionOptions,
): Promise<{ keyId: string; certificate: CertificateInfo }> {
  const { keyId, privateKey, pub } = await generateFacilityKeyPair(hsm, facility);
  const certificate = await issueAndStore(hsm, facility, privateKey, pub, Buffer.from(keyId, 'hex'), opts);
  return { keyId, certificate };
}

async function generateFacilityKeyPair(hsm: Pkcs11Hsm, facility: FacilityIdentity) {
  const label = facilityLabel(facility.code);
  const { privateKey, publicKey } = await hsm.generateRsaKeyPair(label, randomBytes(20));
  const pub = await hsm.getRsaPublicKey(publicKey);
  const id = createHash('sha1').update(pub.modulus).digest();
  await hsm.setAttributes(privateKey, [{ type: pkcs11js.CKA_ID, value: id }]);
  await hsm.setAttributes(publicKey, [{ type: pkcs11js.CKA_ID, value: id }]);
  return { keyId: id.toString('hex'), privateKey, pub };
}

/**
 * Production path, step 1: a new key pair inside the HSM and a PKCS#10 request signed by it, to
 * be sent to the facility's certificate authority. The key stays without certificate (and is
 * never chosen for signing) until {@link importFacilityCertificate}.
 */
export async function createFacilityKeyRequest(
  hsm: Pkcs11Hsm,
  facility: FacilityIdentity,
): Promise<{ keyId: string; csrPem: string }> {
  const { keyId, privateKey, pub } = await generateFacilityKeyPair(hsm, facility);
  const csrPem = await buildCsr(subjectOf(facility), pub, (data) => hsm.signSha256Rsa(privateKey, data));
  return { keyId, csrPem };
}

/**
 * Production path, step 2: stores the certificate the CA issued next to its key (matched by
 * public key: CKA_ID = SHA-1 of the modulus). Refuses a certificate whose key is not in the HSM.
 */
export async function importFacilityCertificate(
  hsm: Pkcs11Hsm,
  facilityCode: string,
  certificatePem: string,
): Promise<{ keyId: string; certificate: CertificateInfo }> {
  const certificate = parseCertificate(certificatePem);
  const key = forge.pki.certificateFromPem(derToPem(certificate.der)).publicKey as forge.pki.rsa.PublicKey;
  const hex = key.n.toString(16);
  // CKA_MODULUS is the unsigned big-endian modulus without a leading zero byte, like forge's hex.
  const id = createHash('sha1')
    .update(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'))
    .digest('hex');
  const entries = await new FacilityKeyStore(hsm).entries(facilityCode);
  const entry = entries.find((e) => e.keyId === id);
  if (!entry)
    throw new SigningError(
      'NO_KEY_FOR_FACILITY',
      `the certificate's public key matches no key of facility ${facilityCode} in the HSM`,
    );
  if (entry.certificate)
    throw new SigningError('BAD_INPUT', `key ${id} of facility ${facilityCode} already has a certificate`);
  const a = certificateAttributes(certificate.der);
  await hsm.createCertificate(
    facilityLabel(facilityCode),
    Buffer.from(id, 'hex'),
    certificate.der,
    a.subject,
    a.issuer,
    a.serial,
  );
  return { keyId: id, certificate };
}

async function issueAndStore(
  hsm: Pkcs11Hsm,
  facility: FacilityIdentity,
  privateKey: ObjectHandle,
  pub: { modulus: Buffer; publicExponent: Buffer },
  id: Buffer,
  opts: ProvisionOptions,
): Promise<CertificateInfo> {
  const csr = await buildCsr(subjectOf(facility), pub, (data) => hsm.signSha256Rsa(privateKey, data));
  const certificate = opts.ca.issueFromCsr(csr, opts.issue);
  const a = certificateAttributes(certificate.der);
  await hsm.createCertificate(
    facilityLabel(facility.code),
    id,
    certificate.der,
    a.subject,
    a.issuer,
    a.serial,
  );
  return certificate;
}

/**
 * Idempotent: makes sure the facility has a key and a currently valid certificate in the token,
 * and that `<certDir>/<code>.pem` holds the current certificate.
 */
export async function ensureFacilityKey(
  hsm: Pkcs11Hsm,
  facility: FacilityIdentity,
  opts: ProvisionOptions,
): Promise<ProvisionResult> {
  const store = new FacilityKeyStore(hsm);
  const entries = await store.entries(facility.code);
  const now = new Date();
  let status: ProvisionStatus;
  let keyId: string;
  let certificate: CertificateInfo;
  const current = pickCurrent(entries, now);
  const renewAt = new Date(now.getTime() + (opts.renewWithinDays ?? 0) * 86_400_000);
  const orphan = entries.find((e) => !e.certificate);
  if (current && current.certificate!.notAfter > renewAt) {
    status = 'exists';
    keyId = current.keyId;
    certificate = current.certificate!;
  } else if (!current && orphan && entries.length === 1) {
    // A key without certificate (interrupted provisioning): certify it.
    const pub = orphan.publicKey ? await hsm.getRsaPublicKey(orphan.publicKey) : undefined;
    if (!pub)
      throw new SigningError(
        'HSM_ERROR',
        `key ${orphan.keyId} of facility ${facility.code} has no public key object`,
      );
    certificate = await issueAndStore(
      hsm,
      facility,
      orphan.privateKey,
      pub,
      Buffer.from(orphan.keyId, 'hex'),
      opts,
    );
    status = 'certificate-added';
    keyId = orphan.keyId;
  } else {
    ({ keyId, certificate } = await createFacilityKey(hsm, facility, opts));
    status = entries.length === 0 ? 'created' : 'rotated';
  }
  const result: ProvisionResult = { facilityCode: facility.code, status, keyId, certificate };
  if (opts.certDir) result.pemPath = exportCertificatePem(opts.certDir, facility.code, certificate);
  return result;
}

/** Writes `<dir>/<code>.pem` (atomically, only when it changes). Returns the path. */
export function exportCertificatePem(
  dir: string,
  facilityCode: string,
  certificate: CertificateInfo,
  name = `${facilityCode}.pem`,
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch {
    existing = undefined;
  }
  if (existing !== certificate.pem) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, certificate.pem);
    renameSync(tmp, path);
  }
  return path;
}

export interface RotationResult {
  facilityCode: string;
  keyId: string;
  certificate: CertificateInfo;
  /** Keys still in the token (and still usable by keyId) until retireFacilityKey. */
  previousKeyIds: string[];
  pemPath?: string;
}

/**
 * Key rotation. A new key pair (new CKA_ID) and certificate are created; from then on signerFor()
 * returns the new key (latest valid certificate), and the store's cache is dropped. The old keys
 * stay in the token and keep working through signerFor(code, { keyId }) for claims already signed
 * or being re-sent with the old key; their certificates are exported as
 * `<code>.<keyId>.pem` so the gateway keeps both registered. Call retireFacilityKey once no
 * in-flight claim references the old key (e.g. after the gateway has acknowledged them).
 */
export async function rotateFacilityKey(
  hsm: Pkcs11Hsm,
  facility: FacilityIdentity,
  opts: ProvisionOptions,
  store?: FacilityKeyStore,
): Promise<RotationResult> {
  const before = await new FacilityKeyStore(hsm).entries(facility.code);
  const { keyId, certificate } = await createFacilityKey(hsm, facility, opts);
  store?.invalidate(facility.code);
  const previous = before.filter((e: FacilityKeyEntry) => e.keyId !== keyId);
  const result: RotationResult = {
    facilityCode: facility.code,
    keyId,
    certificate,
    previousKeyIds: previous.map((e) => e.keyId),
  };
  if (opts.certDir) {
    result.pemPath = exportCertificatePem(opts.certDir, facility.code, certificate);
    for (const e of previous)
      if (e.certificate)
        exportCertificatePem(opts.certDir, facility.code, e.certificate, `${facility.code}.${e.keyId}.pem`);
  }
  return result;
}

/** Removes an old key pair and its certificate from the token (and its exported PEM). Refuses the current key. */
export async function retireFacilityKey(
  hsm: Pkcs11Hsm,
  facilityCode: string,
  keyId: string,
  opts: { certDir?: string; store?: FacilityKeyStore } = {},
): Promise<void> {
  const entries = await new FacilityKeyStore(hsm).entries(facilityCode);
  const entry = entries.find((e) => e.keyId === keyId.toLowerCase());
  if (!entry)
    throw new SigningError('NO_KEY_FOR_FACILITY', `facility ${facilityCode} has no key with id ${keyId}`);
  if (pickCurrent(entries, new Date()) === entry)
    throw new SigningError(
      'BAD_INPUT',
      `key ${keyId} is the current key of facility ${facilityCode}: rotate first`,
    );
  for (const h of [entry.certificateHandle, entry.publicKey, entry.privateKey])
    if (h) await hsm.destroyObject(h);
  opts.store?.invalidate(facilityCode);
  if (opts.certDir) {
    for (const f of readdirSync(opts.certDir))
      if (f === `${facilityCode}.${entry.keyId}.pem`) unlinkSync(join(opts.certDir, f));
  }
}
