import { X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { child, childElements, text } from './xml';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export type SignatureVerdict =
  | { status: 'valid'; certificateSha256: string; subject: string }
  | { status: 'invalid'; reason: string }
  | { status: 'not-checked' };

export interface RegisteredCertificate {
  readonly der: Buffer;
  readonly sha256: string;
  readonly x509: X509Certificate;
}

export function registerCertificates(pems: readonly string[]): RegisteredCertificate[] {
  return pems.map((pem) => {
    const x509 = new X509Certificate(pem);
    return { der: x509.raw, sha256: x509.fingerprint256, x509 };
  });
}

function algorithm(el: Element | undefined): string {
  return el?.getAttribute('Algorithm') ?? '';
}

/**
 * Verifies the facility signature profile of §6.2: exactly one Signature, inside CHUKYDONVI,
 * CHUKYDONVI the last child of the root; inclusive C14N 1.0, one Reference URI="" with only the
 * enveloped transform, SHA-256 digest, RSA-SHA256; the embedded certificate equals a certificate
 * registered for the facility and is valid at reception time; digest and SignatureValue verify.
 */
export function verifyFacilitySignature(
  xmlText: string,
  doc: Document,
  registered: readonly RegisteredCertificate[],
  receivedAt: Date,
): SignatureVerdict {
  const root = doc.documentElement!;
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) return { status: 'invalid', reason: 'no Signature element (CHUKYDONVI is empty or missing)' };
  if (signatures.length > 1) return { status: 'invalid', reason: `expected exactly one Signature, found ${signatures.length}` };
  const signature = signatures[0]!;
  const parent = signature.parentNode as Element | null;
  if (!parent || parent.nodeName !== 'CHUKYDONVI' || parent.parentNode !== root) {
    return { status: 'invalid', reason: 'Signature must be a child of CHUKYDONVI directly under the root' };
  }
  const rootChildren = childElements(root);
  if (rootChildren[rootChildren.length - 1] !== parent) return { status: 'invalid', reason: 'CHUKYDONVI must be the last child of the root' };

  const signedInfo = child(signature, 'SignedInfo');
  if (!signedInfo) return { status: 'invalid', reason: 'SignedInfo missing' };
  if (algorithm(child(signedInfo, 'CanonicalizationMethod')) !== C14N) {
    return { status: 'invalid', reason: 'CanonicalizationMethod must be inclusive C14N 1.0 (REC-xml-c14n-20010315)' };
  }
  if (algorithm(child(signedInfo, 'SignatureMethod')) !== RSA_SHA256) return { status: 'invalid', reason: 'SignatureMethod must be RSA-SHA256' };
  const references = childElements(signedInfo).filter((e) => e.localName === 'Reference');
  if (references.length !== 1) return { status: 'invalid', reason: `expected exactly one Reference, found ${references.length}` };
  const reference = references[0]!;
  if (reference.getAttribute('URI') !== '') return { status: 'invalid', reason: 'Reference URI must be "" (whole document)' };
  const transforms = childElements(child(reference, 'Transforms') ?? reference).filter((e) => e.localName === 'Transform');
  const transformAlgs = transforms.map((t) => algorithm(t));
  if (transformAlgs.length !== 1 || transformAlgs[0] !== ENVELOPED) {
    return { status: 'invalid', reason: 'Transforms must be exactly the enveloped-signature transform' };
  }
  if (algorithm(child(reference, 'DigestMethod')) !== SHA256) return { status: 'invalid', reason: 'DigestMethod must be SHA-256' };

  const certText = text(child(child(child(signature, 'KeyInfo') ?? signature, 'X509Data') ?? signature, 'X509Certificate')).replace(/\s+/g, '');
  if (!certText) return { status: 'invalid', reason: 'KeyInfo/X509Data/X509Certificate missing' };
  let embedded: X509Certificate;
  try {
    embedded = new X509Certificate(Buffer.from(certText, 'base64'));
  } catch {
    return { status: 'invalid', reason: 'embedded certificate is not a valid X.509 certificate' };
  }
  const match = registered.find((r) => r.der.equals(embedded.raw));
  if (!match) return { status: 'invalid', reason: `embedded certificate ${embedded.fingerprint256} is not registered for this facility` };
  const t = receivedAt.getTime();
  if (t < Date.parse(embedded.validFrom) || t > Date.parse(embedded.validTo)) {
    return { status: 'invalid', reason: `certificate not valid at reception time (valid ${embedded.validFrom} – ${embedded.validTo})` };
  }

  const verifier = new SignedXml({ publicCert: embedded.toString(), getCertFromKeyInfo: () => null });
  try {
    verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
    const ok = verifier.checkSignature(xmlText);
    if (!ok) return { status: 'invalid', reason: 'signature or digest does not verify' };
  } catch (e) {
    return { status: 'invalid', reason: `signature does not verify: ${(e as Error).message.split('\n')[0]}` };
  }
  return { status: 'valid', certificateSha256: embedded.fingerprint256, subject: embedded.subject.replace(/\n/g, ', ') };
}
