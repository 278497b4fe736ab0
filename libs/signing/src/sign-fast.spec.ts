import { signXmlDocument } from './sign-fast';
import { signXmlGeneric } from './sign-generic';
import { verifyXmlSignature } from './verify';
import { canonicalSamples, sampleCheckin, sampleEnvelope } from './testing/samples';
import { softwareFacility } from './testing/software-ca';
import type { FacilitySigner } from './signer';
import type { DevCa } from './certificates';

jest.setTimeout(60_000); // RSA key generation for the throw-away CAs takes a variable time

let signer: FacilitySigner;
let ca: DevCa;
beforeAll(async () => {
  ({ signer, ca } = await softwareFacility());
});

describe('signXmlDocument (fast path)', () => {
  it.each(canonicalSamples())(
    'produces the same bytes as the xml-crypto generic path for %s',
    async (_name, xml) => {
      const fast = await signXmlDocument(xml, signer);
      const generic = await signXmlGeneric(xml, signer);
      expect(fast.signedXml).toBe(generic);
    },
  );

  it.each(canonicalSamples())('produces a signature that xml-crypto verifies for %s', async (_name, xml) => {
    const { signedXml } = await signXmlDocument(xml, signer);
    const r = verifyXmlSignature(signedXml, { trusted: [ca.certificate] });
    expect(r).toMatchObject({ valid: true, certificateSha256: signer.certificate.sha256 });
  });

  it('places the Signature inside CHUKYDONVI at the end of the root', async () => {
    const { signedXml } = await signXmlDocument(sampleEnvelope(1), signer);
    expect(signedXml).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><GIAMDINHHS /);
    expect(signedXml).toMatch(
      /<CHUKYDONVI><Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#"><SignedInfo>.*<\/Signature><\/CHUKYDONVI><\/GIAMDINHHS>$/,
    );
  });

  it('reports a document digest that changes with the content', async () => {
    const a = await signXmlDocument(sampleCheckin(1), signer);
    const b = await signXmlDocument(sampleCheckin(2), signer);
    expect(a.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.documentSha256).not.toBe(b.documentSha256);
    expect(a.digestValue).not.toBe(b.digestValue);
  });

  it('fails verification after one byte of the signed document is changed', async () => {
    const { signedXml } = await signXmlDocument(sampleCheckin(1), signer);
    const tampered = signedXml.replace('<STT>1</STT>', '<STT>2</STT>');
    expect(verifyXmlSignature(tampered).valid).toBe(false);
  });

  const refusals: Array<[string, string]> = [
    ['a self-closing element', sampleCheckin(1).replace('<DU_PHONG></DU_PHONG>', '<DU_PHONG/>')],
    ['a missing XML declaration', sampleCheckin(1).replace('<?xml version="1.0" encoding="utf-8"?>', '')],
    ['a comment', sampleCheckin(1).replace('<STT>', '<!-- x --><STT>')],
    ['a raw greater-than sign in text', sampleCheckin(1).replace('&gt;', '>')],
    ['a numeric character reference', sampleCheckin(1).replace('NGUYỄN', 'NGUY&#7876;N')],
    [
      'single-quoted attributes',
      sampleEnvelope(1).replace(
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema"',
        "xmlns:xsd='http://www.w3.org/2001/XMLSchema'",
      ),
    ],
    [
      'namespace declarations out of order',
      sampleEnvelope(1).replace(/xmlns:xsd="([^"]*)" xmlns:xsi="([^"]*)"/, 'xmlns:xsi="$2" xmlns:xsd="$1"'),
    ],
    [
      'a non-empty CHUKYDONVI',
      sampleCheckin(1).replace('<CHUKYDONVI></CHUKYDONVI>', '<CHUKYDONVI>x</CHUKYDONVI>'),
    ],
    ['no CHUKYDONVI', sampleCheckin(1).replace('<CHUKYDONVI></CHUKYDONVI>', '')],
    [
      'CHUKYDONVI that is not the last child',
      sampleCheckin(1)
        .replace('<CHUKYDONVI></CHUKYDONVI>', '')
        .replace('<DSACH_TRANG_THAI_KCB>', '<CHUKYDONVI></CHUKYDONVI><DSACH_TRANG_THAI_KCB>'),
    ],
    [
      'two CHUKYDONVI elements',
      sampleCheckin(1).replace('<DSACH_TRANG_THAI_KCB>', '<DSACH_TRANG_THAI_KCB><CHUKYDONVI></CHUKYDONVI>'),
    ],
    ['whitespace inside a tag', sampleCheckin(1).replace('<STT>', '<STT >')],
    ['mismatched tags', sampleCheckin(1).replace('</STT>', '</STT_>')],
    ['content after the root', `${sampleCheckin(1)}<X></X>`],
    [
      'an already signed document',
      sampleCheckin(1).replace(
        '<CHUKYDONVI></CHUKYDONVI>',
        '<CHUKYDONVI><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"></Signature></CHUKYDONVI>',
      ),
    ],
    ['attributes out of order', sampleCheckin(1).replace('<STT>', '<STT b="1" a="2">')],
  ];
  it.each(refusals)('refuses a document with %s as NOT_CANONICAL', async (_name, xml) => {
    await expect(signXmlDocument(xml, signer)).rejects.toMatchObject({
      name: 'SigningError',
      code: 'NOT_CANONICAL',
    });
  });

  it('accepts whitespace between the declaration and the root and drops it from the output', async () => {
    const xml = sampleCheckin(1).replace('?><', '?>\r\n<');
    const { signedXml } = await signXmlDocument(xml, signer);
    expect(signedXml.startsWith('<?xml version="1.0" encoding="utf-8"?><CHI_TIEU')).toBe(true);
  });

  it('refuses to sign with an expired certificate', async () => {
    const expired = await softwareFacility('79002', {
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    await expect(signXmlDocument(sampleCheckin(1), expired.signer)).rejects.toMatchObject({
      name: 'SigningError',
      code: 'CERT_EXPIRED',
    });
  });
});

describe('signXmlGeneric', () => {
  it('signs a pretty-printed document that the fast path refuses, and the result verifies', async () => {
    const pretty = sampleCheckin(1)
      .replace(/></g, '>\n  <')
      .replace('<CHUKYDONVI>\n  </CHUKYDONVI>', '<CHUKYDONVI/>');
    await expect(signXmlDocument(pretty, signer)).rejects.toThrow(/not canonical-ready/);
    const signed = await signXmlGeneric(pretty, signer);
    expect(verifyXmlSignature(signed).valid).toBe(true);
  });

  it('adds CHUKYDONVI as the last child when the document has none', async () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?><HSDANHMUC><A>1</A></HSDANHMUC>';
    const signed = await signXmlGeneric(xml, signer);
    expect(signed).toMatch(/<A>1<\/A><CHUKYDONVI><Signature /);
    expect(verifyXmlSignature(signed).valid).toBe(true);
  });
});

describe('verifyXmlSignature', () => {
  it('rejects a certificate that is not issued by a trusted CA', async () => {
    const other = await softwareFacility('79003');
    const { signedXml } = await signXmlDocument(sampleCheckin(1), other.signer);
    expect(verifyXmlSignature(signedXml).valid).toBe(true);
    expect(verifyXmlSignature(signedXml, { trusted: [ca.certificate] })).toMatchObject({ valid: false });
  });

  it('rejects a signature moved out of CHUKYDONVI', async () => {
    const { signedXml } = await signXmlDocument(sampleCheckin(1), signer);
    const sig = signedXml.slice(signedXml.indexOf('<Signature '), signedXml.indexOf('</CHUKYDONVI>'));
    const moved = signedXml
      .replace(sig, '')
      .replace('<DSACH_TRANG_THAI_KCB>', `<DSACH_TRANG_THAI_KCB>${sig}`);
    expect(verifyXmlSignature(moved)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/CHUKYDONVI/),
    });
  });

  it('returns a reason instead of throwing for input that is not XML', () => {
    expect(verifyXmlSignature('not xml <')).toMatchObject({ valid: false, reason: expect.any(String) });
  });
});
