/**
 * Test fixtures: synthetic signed documents. Keys are software RSA keys generated per run;
 * certificates are self-signed with node-forge. Never use these outside tests.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { SignedXml } from 'xml-crypto';

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export function makeCertificate(
  cn: string,
  notBefore = new Date(Date.now() - 86_400_000),
  notAfter = new Date(Date.now() + 365 * 86_400_000),
): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = [
    { name: 'commonName', value: cn },
    { name: 'countryName', value: 'VN' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export interface RecordOptions {
  readonly facility: string;
  readonly maLk: string;
  readonly maThe?: string;
  readonly ngayRa?: string;
  /** Overrides/extra FILEHOSO entries: table → inner XML (already a full document). */
  readonly tables?: Record<string, string>;
  readonly soLuongHoSo?: string;
  readonly ngayLap?: string;
  readonly macskcb?: string;
}

export function xml1(maLk: string, maThe = 'GD4797912345678', ngayRa = '202503041430'): string {
  return `<?xml version="1.0" encoding="utf-8"?><TONG_HOP><MA_LK>${maLk}</MA_LK><STT>1</STT><MA_THE_BHYT>${maThe}</MA_THE_BHYT><NGAY_VAO>202503040830</NGAY_VAO><NGAY_RA>${ngayRa}</NGAY_RA><CHAN_DOAN_RV>Viêm họng cấp</CHAN_DOAN_RV><MA_LOAI_RV>1</MA_LOAI_RV><KET_QUA_DTRI>1</KET_QUA_DTRI><MA_DOITUONG_KCB>1.1</MA_DOITUONG_KCB></TONG_HOP>`;
}

export function xml2(maLk: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC><MA_LK>${maLk}</MA_LK><STT>1</STT></CHI_TIET_THUOC></DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>`;
}

/** A GIAMDINHHS envelope with an empty CHUKYDONVI (unsigned). */
export function buildRecord(o: RecordOptions): string {
  const tables = o.tables ?? { XML1: xml1(o.maLk, o.maThe, o.ngayRa), XML2: xml2(o.maLk) };
  const files = Object.entries(tables)
    .map(
      ([t, x]) =>
        `<FILEHOSO><LOAIHOSO>${t.replace(/#.*$/, '')}</LOAIHOSO><NOIDUNGFILE>${b64(x)}</NOIDUNGFILE></FILEHOSO>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<GIAMDINHHS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<THONGTINDONVI><MACSKCB>${o.macskcb ?? o.facility}</MACSKCB></THONGTINDONVI>` +
    `<THONGTINHOSO><NGAYLAP>${o.ngayLap ?? '20250304'}</NGAYLAP><SOLUONGHOSO>${o.soLuongHoSo ?? '1'}</SOLUONGHOSO>` +
    `<DANHSACHHOSO><HOSO>${files}</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>`
  );
}

export function buildCheckin(facility: string, maLk: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB>` +
    `<MA_LK>${maLk}</MA_LK><STT>1</STT><MA_THE_BHYT>GD4797912345678</MA_THE_BHYT><NGAY_VAO>202503040830</NGAY_VAO>` +
    `<MA_CSKCB>${facility}</MA_CSKCB></TRANG_THAI_KCB></DSACH_TRANG_THAI_KCB><CHUKYDONVI></CHUKYDONVI></CHI_TIEU_TRANG_THAI_KCB>`
  );
}

/** Signs per §6.2: enveloped, URI="", inclusive C14N, SHA-256, RSA-SHA256, cert in X509Data, inside CHUKYDONVI. */
export function signXml(xml: string, cert: TestCertificate): string {
  const sig = new SignedXml({
    privateKey: cert.keyPem,
    publicCert: cert.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  });
  sig.addReference({
    xpath: '/*',
    uri: '',
    isEmptyUri: true,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='CHUKYDONVI']", action: 'append' } });
  return sig.getSignedXml();
}
