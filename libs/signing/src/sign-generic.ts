import { C14nCanonicalization, SignedXml } from 'xml-crypto';
import type { SignatureAlgorithm } from 'xml-crypto';
import type { BinaryLike, KeyLike } from 'node:crypto';
import { createVerify } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SigningError } from './errors';
import type { FacilitySigner } from './signer';
import { assertCertificateUsable } from './sign-fast';
import { childElements, elementsByLocalName, parseXml, serializeXml } from './xml-dom';
import {
  C14N_10,
  ENVELOPED_SIGNATURE,
  RSA_SHA256,
  SHA256_DIGEST,
  SIGNATURE_CONTAINER,
  XML_DECLARATION,
} from './xmldsig-profile';

/** An xml-crypto signature algorithm whose private-key operation is the (asynchronous) FacilitySigner. */
function externalRsaSha256(signer: FacilitySigner): new () => SignatureAlgorithm {
  return class ExternalRsaSha256 {
    getSignature(
      signedInfo: BinaryLike,
      _key: KeyLike,
      callback?: (err: Error | null, value?: string) => void,
    ): string | void {
      if (!callback)
        throw new Error('the external signer is asynchronous: computeSignature needs a callback');
      const data =
        typeof signedInfo === 'string'
          ? Buffer.from(signedInfo, 'utf8')
          : Buffer.from(signedInfo as Uint8Array);
      signer.sign(data).then(
        (sig) => callback(null, sig.toString('base64')),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }
    verifySignature(material: string, key: KeyLike, signatureValue: string): boolean {
      return createVerify('RSA-SHA256').update(material).verify(key, signatureValue, 'base64');
    }
    getAlgorithmName(): typeof RSA_SHA256 {
      return RSA_SHA256;
    }
  } as unknown as new () => SignatureAlgorithm;
}

/**
 * Brings CHUKYDONVI into the profile's shape: exactly one, a child of the root, after every other
 * element child, empty (whitespace inside is dropped). Created as the last child when absent.
 */
function prepareContainer(xml: string): string {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const found = elementsByLocalName(doc, SIGNATURE_CONTAINER);
  if (found.length > 1)
    throw new SigningError(
      'BAD_INPUT',
      `the document holds ${found.length} <${SIGNATURE_CONTAINER}> elements`,
    );
  let container: Element | undefined = found[0];
  if (!container) {
    container = root.namespaceURI
      ? doc.createElementNS(
          root.namespaceURI,
          root.prefix ? `${root.prefix}:${SIGNATURE_CONTAINER}` : SIGNATURE_CONTAINER,
        )
      : doc.createElement(SIGNATURE_CONTAINER);
    root.appendChild(container);
  }
  if (container.parentNode !== root)
    throw new SigningError('BAD_INPUT', `<${SIGNATURE_CONTAINER}> must be a child of the root element`);
  const siblings = childElements(root);
  if (siblings[siblings.length - 1] !== container)
    throw new SigningError('BAD_INPUT', `<${SIGNATURE_CONTAINER}> must be the last element of the root`);
  if (childElements(container).length > 0)
    throw new SigningError(
      'BAD_INPUT',
      `<${SIGNATURE_CONTAINER}> is not empty: the document is already signed`,
    );
  while (container.firstChild) container.removeChild(container.firstChild);
  return serializeXml(doc);
}

/**
 * Generic path for arbitrary documents: parse (xmldom), sign with xml-crypto (inclusive C14N 1.0,
 * enveloped transform, RSA-SHA256 through the signer, X509Certificate in KeyInfo), Signature
 * appended inside CHUKYDONVI. The result is written in canonical form (`<?xml … utf-8?>` + the
 * inclusive C14N of the signed document), so that for canonical-ready input it is byte for byte
 * the output of the fast path (signXmlDocument). Comments and the DOCTYPE are not kept.
 */
export async function signXmlGeneric(xml: string, signer: FacilitySigner): Promise<string> {
  assertCertificateUsable(signer);
  const prepared = prepareContainer(xml);
  const sig = new SignedXml({
    privateKey: 'held-by-the-external-signer',
    publicCert: signer.certificate.pem,
    canonicalizationAlgorithm: C14N_10,
    signatureAlgorithm: RSA_SHA256,
  });
  sig.SignatureAlgorithms = { ...sig.SignatureAlgorithms, [RSA_SHA256]: externalRsaSha256(signer) };
  sig.addReference({
    xpath: '/*',
    transforms: [ENVELOPED_SIGNATURE],
    digestAlgorithm: SHA256_DIGEST,
    uri: '',
    isEmptyUri: true,
  });
  await new Promise<void>((resolve, reject) => {
    sig.computeSignature(
      prepared,
      { location: { reference: `//*[local-name(.)='${SIGNATURE_CONTAINER}']`, action: 'append' } },
      (err) => (err ? reject(err) : resolve()),
    );
  });
  const signedDoc = parseXml(sig.getSignedXml());
  const canonical = new C14nCanonicalization().process(
    signedDoc.documentElement as unknown as Parameters<C14nCanonicalization['process']>[0],
    {},
  );
  return XML_DECLARATION + canonical;
}
