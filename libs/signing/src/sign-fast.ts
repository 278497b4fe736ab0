import { createHash } from 'node:crypto';
import { checkCanonicalReady } from './canonical-ready';
import { SigningError } from './errors';
import type { FacilitySigner } from './signer';
import {
  C14N_10,
  DSIG_NS,
  ENVELOPED_SIGNATURE,
  RSA_SHA256,
  SHA256_DIGEST,
  XML_DECLARATION,
} from './xmldsig-profile';

export interface SignedDocument {
  /** `<?xml version="1.0" encoding="utf-8"?>` + canonical root with the Signature inside CHUKYDONVI. */
  signedXml: string;
  /** SHA-256 (hex) of the UTF-8 bytes of signedXml: what is base64-encoded into fileHSBase64. */
  documentSha256: string;
  /** Reference DigestValue (base64): SHA-256 of the canonical document without the Signature. */
  digestValue: string;
  /** Certificate used (SHA-256 thumbprint, hex) and key id, for the audit trail. */
  certificateSha256: string;
  keyId: string;
}

const SIGNED_INFO_OPEN = '<SignedInfo>';

/** SignedInfo children after `<SignedInfo …>`, canonical (empty elements as start+end tags). */
function signedInfoBody(digestB64: string): string {
  return (
    `<CanonicalizationMethod Algorithm="${C14N_10}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="${RSA_SHA256}"></SignatureMethod>` +
    `<Reference URI=""><Transforms><Transform Algorithm="${ENVELOPED_SIGNATURE}"></Transform></Transforms>` +
    `<DigestMethod Algorithm="${SHA256_DIGEST}"></DigestMethod><DigestValue>${digestB64}</DigestValue></Reference></SignedInfo>`
  );
}

export function assertCertificateUsable(signer: FacilitySigner, now: Date = new Date()): void {
  const c = signer.certificate;
  if (now > c.notAfter) {
    throw new SigningError(
      'CERT_EXPIRED',
      `the certificate of facility ${signer.facilityCode} expired on ${c.notAfter.toISOString()}`,
    );
  }
  if (now < c.notBefore) {
    throw new SigningError(
      'CERT_NOT_YET_VALID',
      `the certificate of facility ${signer.facilityCode} is valid from ${c.notBefore.toISOString()}`,
    );
  }
}

/**
 * Fast path: signs a canonical-ready document (see checkCanonicalReady) without parsing it.
 *
 * - Reference digest = SHA-256 of the root bytes (they already are inclusive C14N with an empty
 *   CHUKYDONVI, which is exactly what the enveloped transform + C14N yield).
 * - SignedInfo is built canonically as a string in document context: inclusive C14N renders the
 *   namespace declarations in scope, i.e. the dsig default namespace plus the root's prefixed
 *   declarations (xmlns:xsd, xmlns:xsi on GIAMDINHHS), in C14N order.
 * - The signature value comes from the signer (the HSM).
 * Input that is not canonical-ready is refused with SigningError('NOT_CANONICAL'); the caller may
 * then use signXmlGeneric (the signer service does so and counts the fallback).
 */
export async function signXmlDocument(xml: string, signer: FacilitySigner): Promise<SignedDocument> {
  const doc = checkCanonicalReady(xml);
  assertCertificateUsable(signer);
  const root = xml.slice(doc.rootStart, doc.rootEnd);
  const digestValue = createHash('sha256').update(root, 'utf8').digest('base64');

  let inherited = '';
  for (const [prefix, attribute] of doc.rootNamespaces) if (prefix !== '') inherited += ` ${attribute}`;
  const body = signedInfoBody(digestValue);
  const canonicalSignedInfo = `<SignedInfo xmlns="${DSIG_NS}"${inherited}>${body}`;
  const signatureValue = (await signer.sign(Buffer.from(canonicalSignedInfo, 'utf8'))).toString('base64');

  const signature =
    `<Signature xmlns="${DSIG_NS}">${SIGNED_INFO_OPEN}${body}` +
    `<SignatureValue>${signatureValue}</SignatureValue>` +
    `<KeyInfo><X509Data><X509Certificate>${signer.certificate.der.toString('base64')}</X509Certificate></X509Data></KeyInfo></Signature>`;
  const insertAt = doc.insertAt - doc.rootStart;
  const signedXml = XML_DECLARATION + root.slice(0, insertAt) + signature + root.slice(insertAt);
  return {
    signedXml,
    documentSha256: createHash('sha256').update(signedXml, 'utf8').digest('hex'),
    digestValue,
    certificateSha256: signer.certificate.sha256,
    keyId: signer.keyId,
  };
}
