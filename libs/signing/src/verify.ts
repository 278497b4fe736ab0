import { SignedXml } from 'xml-crypto';
import type { Element } from '@xmldom/xmldom';
import type { CertificateInfo } from './certificates';
import { parseCertificate, validateChain } from './certificates';
import { childElements, elementsByLocalName, parseXml } from './xml-dom';
import {
  C14N_10,
  DSIG_NS,
  ENVELOPED_SIGNATURE,
  RSA_SHA256,
  SHA256_DIGEST,
  SIGNATURE_CONTAINER,
} from './xmldsig-profile';

export interface VerifyOptions {
  /** When given, the embedded certificate must be one of these or be issued by one of them. */
  trusted?: CertificateInfo[];
  /** When given (hex), the embedded certificate must have this SHA-256 thumbprint. */
  expectedCertificateSha256?: string;
  /** Check the certificate's validity period at this time (default: now). `false` disables the check. */
  at?: Date | false;
}

export interface VerifyResult {
  valid: boolean;
  reason?: string;
  certificateSha256?: string;
  certificate?: CertificateInfo;
}

function attr(el: Element | undefined, name: string): string | null {
  return el ? el.getAttribute(name) : null;
}

function dsChildren(el: Element, localName: string): Element[] {
  return childElements(el).filter((c) => c.localName === localName && c.namespaceURI === DSIG_NS);
}

/**
 * Independent verification with xml-crypto (DOM + C14N in document context) of the gateway
 * profile: exactly one Signature, inside CHUKYDONVI, the last child of the root; inclusive C14N
 * 1.0; RSA-SHA256; one Reference URI="" with only the enveloped transform and SHA-256; the
 * certificate from KeyInfo/X509Data verifies the signature value and (optionally) is trusted and
 * within its validity period. Never throws for a bad document: returns { valid: false, reason }.
 */
export function verifyXmlSignature(xml: string, opts: VerifyOptions = {}): VerifyResult {
  try {
    return verifyOrThrow(xml, opts);
  } catch (e) {
    return { valid: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function verifyOrThrow(xml: string, opts: VerifyOptions): VerifyResult {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const signatures = elementsByLocalName(doc, 'Signature').filter((e) => e.namespaceURI === DSIG_NS);
  if (signatures.length !== 1)
    return { valid: false, reason: `expected exactly one Signature, found ${signatures.length}` };
  const signature = signatures[0]!;
  const container = signature.parentNode as Element | null;
  if (!container || container.localName !== SIGNATURE_CONTAINER || container.parentNode !== root) {
    return {
      valid: false,
      reason: `the Signature must be inside <${SIGNATURE_CONTAINER}>, a child of the root`,
    };
  }
  const rootChildren = childElements(root);
  if (rootChildren[rootChildren.length - 1] !== container)
    return { valid: false, reason: `<${SIGNATURE_CONTAINER}> must be the last child of the root` };

  const signedInfo = dsChildren(signature, 'SignedInfo')[0];
  if (!signedInfo) return { valid: false, reason: 'no SignedInfo' };
  const c14n = attr(dsChildren(signedInfo, 'CanonicalizationMethod')[0], 'Algorithm');
  if (c14n !== C14N_10) return { valid: false, reason: `canonicalization must be ${C14N_10}, found ${c14n}` };
  const sm = attr(dsChildren(signedInfo, 'SignatureMethod')[0], 'Algorithm');
  if (sm !== RSA_SHA256)
    return { valid: false, reason: `signature method must be ${RSA_SHA256}, found ${sm}` };
  const refs = dsChildren(signedInfo, 'Reference');
  if (refs.length !== 1) return { valid: false, reason: `expected one Reference, found ${refs.length}` };
  const ref = refs[0]!;
  if (ref.getAttribute('URI') !== '' || !ref.hasAttribute('URI'))
    return { valid: false, reason: 'the Reference URI must be ""' };
  const transforms = dsChildren(ref, 'Transforms')
    .flatMap((t) => dsChildren(t, 'Transform'))
    .map((t) => t.getAttribute('Algorithm'));
  if (transforms.length !== 1 || transforms[0] !== ENVELOPED_SIGNATURE) {
    return {
      valid: false,
      reason: `the only transform must be the enveloped signature, found [${transforms.join(', ')}]`,
    };
  }
  const dm = attr(dsChildren(ref, 'DigestMethod')[0], 'Algorithm');
  if (dm !== SHA256_DIGEST)
    return { valid: false, reason: `digest method must be ${SHA256_DIGEST}, found ${dm}` };

  const certB64 = dsChildren(signature, 'KeyInfo')
    .flatMap((k) => dsChildren(k, 'X509Data'))
    .flatMap((d) => dsChildren(d, 'X509Certificate'))[0]
    ?.textContent?.replace(/\s+/g, '');
  if (!certB64) return { valid: false, reason: 'no KeyInfo/X509Data/X509Certificate' };
  const certificate = parseCertificate(Buffer.from(certB64, 'base64'));
  const base = { certificateSha256: certificate.sha256, certificate };

  const sx = new SignedXml({ publicCert: certificate.pem, getCertFromKeyInfo: () => null });
  sx.loadSignature(signature);
  let ok = false;
  try {
    ok = sx.checkSignature(xml);
  } catch (e) {
    return { valid: false, reason: (e as Error).message, ...base };
  }
  if (!ok) return { valid: false, reason: 'the signature does not verify', ...base };

  if (opts.expectedCertificateSha256 && opts.expectedCertificateSha256.toLowerCase() !== certificate.sha256) {
    return { valid: false, reason: 'the certificate is not the expected one', ...base };
  }
  const at = opts.at === false ? undefined : (opts.at ?? new Date());
  if (at && (at < certificate.notBefore || at > certificate.notAfter)) {
    return {
      valid: false,
      reason: `the certificate is not valid at ${at.toISOString()} (valid ${certificate.notBefore.toISOString()} … ${certificate.notAfter.toISOString()})`,
      ...base,
    };
  }
  if (opts.trusted) {
    const chain = validateChain([certificate], opts.trusted, at ?? certificate.notBefore);
    if (!chain.valid) return { valid: false, reason: chain.reason ?? 'untrusted certificate', ...base };
  }
  return { valid: true, ...base };
}
