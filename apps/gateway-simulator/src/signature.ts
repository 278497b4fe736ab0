import { createHash, verify, X509Certificate } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { C14nCanonicalization, SignedXml, type NamespacePrefix } from 'xml-crypto';
import { child, childElements, children, text } from './xml';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
/** What xml-crypto passes to its canonicalizers; only used for a prefixed element without a namespace. */
const DEFAULT_NS_FOR_PREFIX = { ds: DSIG_NS };

export type SignatureVerdict =
  | { status: 'valid'; certificateSha256: string; subject: string }
  | { status: 'invalid'; reason: string }
  | { status: 'not-checked' };

export interface RegisteredCertificate {
  readonly der: Buffer;
  readonly sha256: string;
  readonly x509: X509Certificate;
  /** Parsed once at registration: the per-submission path only compares bytes and numbers. */
  readonly validFromMs: number;
  readonly validToMs: number;
  readonly subject: string;
}

export function registerCertificates(pems: readonly string[]): RegisteredCertificate[] {
  return pems.map((pem) => toRegistered(new X509Certificate(pem)));
}

function toRegistered(x509: X509Certificate): RegisteredCertificate {
  return {
    der: x509.raw,
    sha256: x509.fingerprint256,
    x509,
    validFromMs: Date.parse(x509.validFrom),
    validToMs: Date.parse(x509.validTo),
    subject: x509.subject.replace(/\n/g, ', '),
  };
}

function algorithm(el: Element | undefined): string {
  return el?.getAttribute('Algorithm') ?? '';
}

type Invalid = { status: 'invalid'; reason: string };
const invalid = (reason: string): Invalid => ({ status: 'invalid', reason });

/**
 * Verifies the facility signature profile of §6.2: exactly one Signature, inside CHUKYDONVI,
 * CHUKYDONVI the last child of the root; inclusive C14N 1.0, one Reference URI="" with only the
 * enveloped transform, SHA-256 digest, RSA-SHA256; the embedded certificate equals a certificate
 * registered for the facility and is valid at reception time; digest and SignatureValue verify.
 *
 * The cryptographic part works on the DOM the content checks already parsed (see
 * verifyReferenceAndSignature) instead of letting xml-crypto re-parse the whole document, which
 * cost most of the simulator's CPU; the unit tests keep xml-crypto's checkSignature as an
 * independent cross-check of the verdicts and their reasons.
 */
export function verifyFacilitySignature(
  xmlText: string,
  doc: Document,
  registered: readonly RegisteredCertificate[],
  receivedAt: Date,
): SignatureVerdict {
  const root = doc.documentElement!;
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) return invalid('no Signature element (CHUKYDONVI is empty or missing)');
  if (signatures.length > 1) return invalid(`expected exactly one Signature, found ${signatures.length}`);
  const signature = signatures[0]!;
  const parent = signature.parentNode as Element | null;
  if (!parent || parent.nodeName !== 'CHUKYDONVI' || parent.parentNode !== root) {
    return invalid('Signature must be a child of CHUKYDONVI directly under the root');
  }
  const rootChildren = childElements(root);
  if (rootChildren[rootChildren.length - 1] !== parent)
    return invalid('CHUKYDONVI must be the last child of the root');

  const signedInfo = child(signature, 'SignedInfo');
  if (!signedInfo) return invalid('SignedInfo missing');
  if (algorithm(child(signedInfo, 'CanonicalizationMethod')) !== C14N) {
    return invalid('CanonicalizationMethod must be inclusive C14N 1.0 (REC-xml-c14n-20010315)');
  }
  if (algorithm(child(signedInfo, 'SignatureMethod')) !== RSA_SHA256)
    return invalid('SignatureMethod must be RSA-SHA256');
  const references = childElements(signedInfo).filter((e) => e.localName === 'Reference');
  if (references.length !== 1) return invalid(`expected exactly one Reference, found ${references.length}`);
  const reference = references[0]!;
  if (reference.getAttribute('URI') !== '') return invalid('Reference URI must be "" (whole document)');
  const transforms = childElements(child(reference, 'Transforms') ?? reference).filter(
    (e) => e.localName === 'Transform',
  );
  const transformAlgs = transforms.map((t) => algorithm(t));
  if (transformAlgs.length !== 1 || transformAlgs[0] !== ENVELOPED) {
    return invalid('Transforms must be exactly the enveloped-signature transform');
  }
  if (algorithm(child(reference, 'DigestMethod')) !== SHA256) return invalid('DigestMethod must be SHA-256');

  const certText = text(
    child(child(child(signature, 'KeyInfo') ?? signature, 'X509Data') ?? signature, 'X509Certificate'),
  ).replace(/\s+/g, '');
  if (!certText) return invalid('KeyInfo/X509Data/X509Certificate missing');
  const embedded = embeddedCertificate(Buffer.from(certText, 'base64'), registered);
  if ('status' in embedded) return embedded;
  const t = receivedAt.getTime();
  if (t < embedded.validFromMs || t > embedded.validToMs) {
    return invalid(
      `certificate not valid at reception time (valid ${embedded.x509.validFrom} – ${embedded.x509.validTo})`,
    );
  }

  const failure = verifyReferenceAndSignature(xmlText, doc, signature, signedInfo, reference, embedded.x509);
  if (failure) return invalid(failure);
  return { status: 'valid', certificateSha256: embedded.sha256, subject: embedded.subject };
}

/**
 * The registered certificate the embedded one is. Byte equality with a registered DER settles it
 * without parsing; anything else is parsed as before, so that the reasons stay the same.
 */
function embeddedCertificate(
  der: Buffer,
  registered: readonly RegisteredCertificate[],
): RegisteredCertificate | Invalid {
  const same = registered.find((r) => r.der.equals(der));
  if (same) return same;
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(der);
  } catch {
    return invalid('embedded certificate is not a valid X.509 certificate');
  }
  const match = registered.find((r) => r.der.equals(parsed.raw));
  if (!match)
    return invalid(`embedded certificate ${parsed.fingerprint256} is not registered for this facility`);
  return match;
}

/** xml-crypto's own checkSignature (it re-parses the document): the reference the DOM path matches. */
function verifyWithXmlCrypto(xmlText: string, signature: Element, cert: X509Certificate): string | undefined {
  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  try {
    verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
    if (!verifier.checkSignature(xmlText)) return 'signature or digest does not verify';
    return undefined;
  } catch (e) {
    return `signature does not verify: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Inclusive C14N 1.0 of the tree under `node`, leaving out `omit` (the enveloped-signature transform). */
class C14nWithout extends C14nCanonicalization {
  constructor(private readonly omit: Node | undefined) {
    super();
  }

  override processInner(
    node: unknown,
    prefixesInScope: unknown,
    defaultNs: unknown,
    defaultNsForPrefix: unknown,
    ancestorNamespaces: unknown,
    namespacesInScope?: NamespacePrefix[],
  ): string {
    if (node === this.omit) return '';
    return super.processInner(
      node,
      prefixesInScope,
      defaultNs,
      defaultNsForPrefix,
      ancestorNamespaces,
      namespacesInScope,
    );
  }
}

/**
 * Namespace declarations in scope at `el` from its ancestors, nearest first, one per prefix,
 * without undeclarations and without the prefixes `el` binds itself or is named with: what
 * inclusive C14N must render on a subtree apex (the same set xml-crypto hands its canonicalizer).
 */
function inheritedNamespaces(el: Element): NamespacePrefix[] {
  const own = new Set<string>([el.prefix ?? '']);
  for (let i = 0; i < el.attributes.length; i++) {
    const name = el.attributes[i]!.nodeName;
    if (name === 'xmlns' || name.startsWith('xmlns:')) own.add(name.slice(6));
  }
  const seen = new Set<string>();
  const out: NamespacePrefix[] = [];
  for (let p = el.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs[i]!;
      if (!/^xmlns:?/.test(attr.nodeName)) continue;
      const prefix = attr.nodeName.replace(/^xmlns:?/, '');
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (attr.nodeValue && !own.has(prefix)) out.push({ prefix, namespaceURI: attr.nodeValue });
    }
  }
  return out;
}

/** The first element below `from` (document order) with this local name that `accept`s, if any. */
function firstDescendant(
  from: Element | Document,
  localName: string,
  accept: (e: Element) => boolean = () => true,
): Element | undefined {
  for (let n = from.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (e.localName === localName && accept(e)) return e;
    const below = firstDescendant(e, localName, accept);
    if (below) return below;
  }
  return undefined;
}

const hasAlgorithm = (e: Element): boolean => e.hasAttribute('Algorithm');

/** The text of an element that holds exactly one non-empty text node, else undefined. */
function loneText(el: Element | undefined): string | undefined {
  const only = el?.firstChild;
  if (!only || only.nextSibling || only.nodeType !== 3) return undefined;
  return only.nodeValue || undefined;
}

interface RegularSignature {
  readonly digestValue: string;
  readonly signatureValue: string;
}

/**
 * The DOM path covers signatures on which xml-crypto cannot pick other nodes than the profile
 * checks looked at (it finds several of them by XPath over the whole Signature or document):
 * one SignedInfo; the first CanonicalizationMethod, SignatureMethod and SignatureValue below the
 * Signature are SignedInfo's and the Signature's own; the first SignedInfo of the document is this
 * one (its ancestors' namespaces are the ones rendered); a Transforms wrapper; one non-empty
 * DigestValue and SignatureValue text each. The document must not contain U+2029, which xmldom
 * 0.9 (our parser) turns into a line feed and xmldom 0.8 (xml-crypto's) keeps, as XML 1.0 does.
 * Anything else, which no real signer produces, keeps xml-crypto's own path and verdict.
 */
function regularSignature(
  xmlText: string,
  doc: Document,
  signature: Element,
  signedInfo: Element,
  reference: Element,
): RegularSignature | undefined {
  if (xmlText.includes('\u2029')) return undefined;
  if (children(signature, 'SignedInfo').length !== 1) return undefined;
  if (firstDescendant(doc, 'SignedInfo') !== signedInfo) return undefined;
  if (
    firstDescendant(signature, 'CanonicalizationMethod', hasAlgorithm) !==
    child(signedInfo, 'CanonicalizationMethod')
  )
    return undefined;
  if (firstDescendant(signature, 'SignatureMethod', hasAlgorithm) !== child(signedInfo, 'SignatureMethod'))
    return undefined;
  if (!child(reference, 'Transforms')) return undefined;
  const digestValues = childElements(reference).filter((e) => e.localName === 'DigestValue');
  const signatureValueEl = childElements(signature).find((e) => e.localName === 'SignatureValue');
  if (
    digestValues.length !== 1 ||
    !signatureValueEl ||
    firstDescendant(signature, 'SignatureValue') !== signatureValueEl
  )
    return undefined;
  const digestValue = loneText(digestValues[0]);
  const signatureValue = loneText(signatureValueEl);
  if (!digestValue || !signatureValue) return undefined;
  return { digestValue, signatureValue: signatureValue.replace(/\r?\n/g, '') };
}

/**
 * XMLDSig core validation of the one enveloped Reference, in xml-crypto's order and with its
 * messages, on the DOM already parsed: the reference digest first (SHA-256 of the inclusive C14N
 * of the root element without the Signature, comments excluded), then RSA-SHA256 over the
 * canonical SignedInfo, canonicalized in its document context (inherited namespace declarations).
 * Irregular signatures, and any error on the way, go to xml-crypto itself so that the verdict and
 * its wording stay exactly xml-crypto's. Returns undefined when both verify, else the reason.
 */
function verifyReferenceAndSignature(
  xmlText: string,
  doc: Document,
  signature: Element,
  signedInfo: Element,
  reference: Element,
  cert: X509Certificate,
): string | undefined {
  const regular = regularSignature(xmlText, doc, signature, signedInfo, reference);
  if (!regular) return verifyWithXmlCrypto(xmlText, signature, cert);
  let signatureMatches: boolean;
  try {
    const canonicalDocument = new C14nWithout(signature).process(doc.documentElement!, {
      defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX,
    });
    const digest = createHash('sha256').update(canonicalDocument, 'utf8').digest();
    if (!digest.equals(Buffer.from(regular.digestValue, 'base64')))
      return 'signature or digest does not verify';
    const canonicalSignedInfo = new C14nWithout(undefined).process(signedInfo, {
      defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX,
      ancestorNamespaces: inheritedNamespaces(signedInfo),
    });
    signatureMatches = verify(
      'sha256',
      Buffer.from(canonicalSignedInfo, 'utf8'),
      cert.publicKey,
      Buffer.from(regular.signatureValue, 'base64'),
    );
  } catch {
    return verifyWithXmlCrypto(xmlText, signature, cert);
  }
  if (!signatureMatches)
    return `signature does not verify: invalid signature: the signature value ${regular.signatureValue} is incorrect`;
  return undefined;
}
