import { createSoftwareSigner, signXmlDocument } from '@bhyt/signing';
import { buildCheckinDocument, buildClaimTables, buildEnvelope, serializeClaimTables } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { SignedXml } from 'xml-crypto';
import {
  DSIG_NS,
  registerCertificates,
  verifyFacilitySignature,
  type RegisteredCertificate,
  type SignatureVerdict,
} from './signature';
import { buildCheckin, buildRecord, makeCertificate, signXml, type TestCertificate } from './test-fixtures';
import { parseXml } from './xml';

let cert: TestCertificate;
let stranger: TestCertificate;
let registered: RegisteredCertificate[];
const now = new Date();

beforeAll(() => {
  cert = makeCertificate('BENH VIEN MAU 79001');
  stranger = makeCertificate('STRANGER');
  registered = registerCertificates([cert.certPem]);
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** The verdict the simulator gave before it verified on its own DOM: xml-crypto's checkSignature. */
function xmlCryptoVerdict(xml: string, certPem: string): string | undefined {
  const signature = parseXml(xml).getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
  const verifier = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  try {
    verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
    return verifier.checkSignature(xml) ? undefined : 'signature or digest does not verify';
  } catch (e) {
    return `signature does not verify: ${(e as Error).message.split('\n')[0]}`;
  }
}

const reasonOf = (v: SignatureVerdict): string | undefined => (v.status === 'invalid' ? v.reason : undefined);

/** Verifies with the simulator and reports whether it fell back to xml-crypto's own parse. */
function simulatorVerdict(
  xml: string,
  certs = registered,
): { verdict: SignatureVerdict; usedXmlCrypto: boolean } {
  const spy = jest.spyOn(SignedXml.prototype, 'loadSignature');
  const verdict = verifyFacilitySignature(xml, parseXml(xml), certs, now);
  const usedXmlCrypto = spy.mock.calls.length > 0;
  spy.mockRestore();
  return { verdict, usedXmlCrypto };
}

const record = (maLk: string): string => buildRecord({ facility: '79001', maLk });

/** Realistic claims as the platform sends them: libs/xml130 documents signed by its fast signer. */
async function platformSigned(): Promise<Array<[string, string]>> {
  const signer = createSoftwareSigner('79001', cert.keyPem, cert.certPem);
  const out: Array<[string, string]> = [];
  for (const s of listScenarios().slice(0, 4)) {
    const r = s.build({ facilityCode: '79001' });
    const envelope = buildEnvelope({
      facilityCode: '79001',
      ngayLap: '20261102',
      files: serializeClaimTables(buildClaimTables(r)),
    });
    out.push([`${s.name} envelope`, (await signXmlDocument(envelope, signer)).signedXml]);
    out.push([`${s.name} check-in`, (await signXmlDocument(buildCheckinDocument(r), signer)).signedXml]);
  }
  return out;
}

describe('signature verification on the parsed DOM', () => {
  it('accepts documents signed by the platform signer without re-parsing them, as xml-crypto does', async () => {
    for (const [name, xml] of await platformSigned()) {
      const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
      expect({ name, status: verdict.status, usedXmlCrypto }).toEqual({
        name,
        status: 'valid',
        usedXmlCrypto: false,
      });
      expect(xmlCryptoVerdict(xml, cert.certPem)).toBeUndefined();
    }
  });

  it.each([
    ['a record envelope', () => signXml(record('LK-X1'), cert)],
    ['a check-in', () => signXml(buildCheckin('79001', 'LK-X2'), cert)],
    [
      'a pretty-printed document with comments, a processing instruction, CDATA, escapes and nested namespaces',
      () =>
        signXml(
          `<?xml version="1.0" encoding="utf-8"?>\n<!-- before -->\n<GIAMDINHHS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:p="urn:p" p:a="1" b="x&amp;y&lt;z&quot;&#9;">\r\n` +
            `  <p:X xmlns="urn:d"><?pi data?>t &amp; &lt; &gt; &#13;<![CDATA[<raw> & ]]><!-- c --><Y xmlns="">Nguyễn\tThị</Y></p:X>\n  <CHUKYDONVI>\n  </CHUKYDONVI>\n</GIAMDINHHS>\n<!-- after -->`,
          cert,
        ),
    ],
  ])('accepts %s signed by xml-crypto, without re-parsing it', (_label, make) => {
    const xml = make();
    const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
    expect(verdict.status).toBe('valid');
    expect(usedXmlCrypto).toBe(false);
    expect(xmlCryptoVerdict(xml, cert.certPem)).toBeUndefined();
  });

  it('reports the certificate that signed a valid document', () => {
    const { verdict } = simulatorVerdict(signXml(record('LK-CERT'), cert));
    expect(verdict).toEqual({
      status: 'valid',
      certificateSha256: registered[0]!.sha256,
      subject: registered[0]!.subject,
    });
    expect(registered[0]!.subject).toContain('CN=BENH VIEN MAU 79001');
  });

  const tamperings: Array<[string, (signed: string) => string]> = [
    ['content changed after signing', (s) => s.replace('<NGAYLAP>20250304', '<NGAYLAP>20250305')],
    ['an attribute added to the root', (s) => s.replace('<GIAMDINHHS ', '<GIAMDINHHS extra="1" ')],
    ['whitespace added inside the content', (s) => s.replace('<THONGTINDONVI>', '<THONGTINDONVI> ')],
    [
      'a changed DigestValue',
      (s) => s.replace(/<DigestValue>(.)/, (_m, c: string) => `<DigestValue>${c === 'A' ? 'B' : 'A'}`),
    ],
    [
      'a changed SignatureValue',
      (s) => s.replace(/<SignatureValue>(.)/, (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`),
    ],
    ['extra whitespace inside SignedInfo', (s) => s.replace('<SignedInfo>', '<SignedInfo>\n  ')],
    [
      'a namespace declared on CHUKYDONVI after signing',
      (s) => s.replace('<CHUKYDONVI>', '<CHUKYDONVI xmlns:zz="urn:zz">'),
    ],
  ];

  it.each(tamperings)('rejects %s, with the same reason as xml-crypto', (_label, tamper) => {
    const xml = tamper(signXml(record('LK-T'), cert));
    const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
    expect(verdict.status).toBe('invalid');
    expect(usedXmlCrypto).toBe(false);
    expect(reasonOf(verdict)).toBe(xmlCryptoVerdict(xml, cert.certPem));
  });

  it('rejects a document signed with another key that carries the registered certificate, as xml-crypto does', () => {
    const certBase64 = cert.certPem.replace(/-----[^-]+-----|\s/g, '');
    const xml = signXml(record('LK-WRONG-KEY'), stranger).replace(
      /<X509Certificate>[^<]*</,
      `<X509Certificate>${certBase64}<`,
    );
    const { verdict } = simulatorVerdict(xml);
    expect(verdict.status).toBe('invalid');
    expect(reasonOf(verdict)).toBe(xmlCryptoVerdict(xml, cert.certPem));
    expect(reasonOf(verdict)).toMatch(/^signature does not verify: invalid signature/);
  });

  it('rejects a certificate that is not registered, and recognises a registered one followed by stray bytes as before', () => {
    expect(reasonOf(simulatorVerdict(signXml(record('LK-STRANGER'), stranger)).verdict)).toContain(
      'not registered',
    );
    const padded = signXml(record('LK-PAD'), cert).replace(
      /<X509Certificate>([^<]*)</,
      (_m, b64: string) =>
        `<X509Certificate>${Buffer.concat([Buffer.from(b64, 'base64'), Buffer.from([0])]).toString('base64')}<`,
    );
    // OpenSSL reads the certificate and ignores what follows; the registered DER still matches.
    expect(simulatorVerdict(padded).verdict.status).toBe('valid');
  });

  it.each([
    ['two DigestValue elements', (s: string) => s.replace(/(<DigestValue>[^<]*<\/DigestValue>)/, '$1$1')],
    [
      'an empty DigestValue',
      (s: string) => s.replace(/<DigestValue>[^<]*<\/DigestValue>/, '<DigestValue></DigestValue>'),
    ],
    ['a second SignedInfo', (s: string) => s.replace('</SignedInfo>', '</SignedInfo><SignedInfo/>')],
    [
      'a decoy CanonicalizationMethod ahead of SignedInfo',
      (s: string) =>
        s.replace(
          '<SignedInfo>',
          '<Object><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Object><SignedInfo>',
        ),
    ],
  ])('leaves a signature with %s to xml-crypto and gives its verdict', (_label, tamper) => {
    const xml = tamper(signXml(record('LK-ODD'), cert));
    const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
    expect(usedXmlCrypto).toBe(true);
    expect(verdict.status).toBe('invalid');
    expect(reasonOf(verdict)).toBe(xmlCryptoVerdict(xml, cert.certPem));
  });

  it('accepts a SignatureValue broken over lines, as xml-crypto does', () => {
    const xml = signXml(record('LK-LINES'), cert).replace(
      /<SignatureValue>([^<]*)</,
      (_m, v: string) => `<SignatureValue>${v.replace(/(.{64})/g, '$1\n')}<`,
    );
    const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
    expect(verdict.status).toBe('valid');
    expect(usedXmlCrypto).toBe(false);
    expect(xmlCryptoVerdict(xml, cert.certPem)).toBeUndefined();
  });

  it('leaves a document containing U+2029 to xml-crypto, whose parser keeps the character as the signer saw it', () => {
    const xml = signXml(buildCheckin('79001', 'LK-\u2029-PS'), cert);
    const { verdict, usedXmlCrypto } = simulatorVerdict(xml);
    expect(usedXmlCrypto).toBe(true);
    expect(verdict.status).toBe('valid');
  });
});
