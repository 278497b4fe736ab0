import { createSign } from 'node:crypto';
import type { CertificateInfo } from './certificates';
import { parseCertificate } from './certificates';

/** A facility's signing key and certificate. `sign` returns an RSA-SHA256 PKCS#1 v1.5 signature of `data`. */
export interface FacilitySigner {
  readonly facilityCode: string;
  /** CKA_ID of the key pair, lower-case hex (identifies the key across rotations). */
  readonly keyId: string;
  readonly certificate: CertificateInfo;
  sign(data: Buffer): Promise<Buffer>;
}

/**
 * A signer over a software key (PEM). For tests and for tooling that must work without an HSM;
 * production signing goes through FacilityKeyStore (keys inside the HSM).
 */
export function createSoftwareSigner(
  facilityCode: string,
  privateKeyPem: string,
  certificatePem: string,
  keyId = 'software',
): FacilitySigner {
  const certificate = parseCertificate(certificatePem);
  return {
    facilityCode,
    keyId,
    certificate,
    sign: (data) => Promise.resolve(createSign('RSA-SHA256').update(data).sign(privateKeyPem)),
  };
}
