/**
 * Canonical-ready sample documents (what libs/xml130 emits): `<?xml …?>` then a root whose bytes
 * are inclusive C14N 1.0, ending with an empty CHUKYDONVI. Synthetic data only.
 */
export const GIAMDINHHS_OPEN =
  '<GIAMDINHHS xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const DECL = '<?xml version="1.0" encoding="utf-8"?>';

/** C14N text escaping. */
export function c14nText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function el(name: string, value: string): string {
  return `<${name}>${c14nText(value)}</${name}>`;
}

export function checkinRow(i: number, maLk = `79001_2025_03_${String(i).padStart(7, '0')}`): string {
  return (
    '<TRANG_THAI_KCB>' +
    el('MA_LK', maLk) +
    el('STT', String(i)) +
    el('MA_BN', `BN${String(1000 + i)}`) +
    el('HO_TEN', i % 2 ? 'NGUYỄN THỊ ÁNH NGUYỆT' : 'TRẦN VĂN ĐỨC') +
    el('SO_CCCD', '079085000123') +
    el('NGAY_SINH', '198506150000') +
    el('GIOI_TINH', String(1 + (i % 2))) +
    el('MA_THE_BHYT', 'GD4797912345678') +
    el('MA_DKBD', '79001') +
    el('GT_THE_TU', '20250101') +
    el('GT_THE_DEN', '20251231') +
    el('MA_DOITUONG_KCB', '1.1') +
    el('NGAY_VAO', '202503040830') +
    '<NGAY_VAO_NOI_TRU></NGAY_VAO_NOI_TRU><LY_DO_VNT></LY_DO_VNT><MA_LY_DO_VNT></MA_LY_DO_VNT>' +
    el('MA_LOAI_KCB', '01') +
    el('MA_CSKCB', '79001') +
    el('MA_DICH_VU', '02.1896') +
    el('TEN_DICH_VU', 'Khám Tai-Mũi-Họng & Răng-Hàm-Mặt <cấp cứu> "ngoài giờ" \'A\'') +
    '<MA_THUOC></MA_THUOC><TEN_THUOC></TEN_THUOC><MA_VAT_TU></MA_VAT_TU><TEN_VAT_TU></TEN_VAT_TU>' +
    el('NGAY_YL', '202503040835') +
    '<DU_PHONG></DU_PHONG>' +
    '</TRANG_THAI_KCB>'
  );
}

export function sampleCheckin(rows = 1): string {
  let body = '';
  for (let i = 1; i <= rows; i++) body += checkinRow(i);
  return `${DECL}<CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB>${body}</DSACH_TRANG_THAI_KCB><CHUKYDONVI></CHUKYDONVI></CHI_TIEU_TRANG_THAI_KCB>`;
}

function thuocRow(i: number): string {
  return (
    '<CHI_TIET_THUOC>' +
    el('MA_LK', '79001_2025_03_0000123') +
    el('STT', String(i)) +
    el('MA_THUOC', `40.${100 + (i % 900)}`) +
    el('TEN_THUOC', 'Paracetamol 500mg (Hapacol) – viên nén & sủi <dạng uống>') +
    el('DON_VI_TINH', 'Viên') +
    el('HAM_LUONG', '500mg') +
    el('DUONG_DUNG', '1.01') +
    el('LIEU_DUNG', 'Ngày uống 2 lần, mỗi lần 1 viên, sau ăn') +
    el('SO_LUONG', '10') +
    el('DON_GIA', '1250.000') +
    el('THANH_TIEN_BV', '12500.00') +
    el('MUC_HUONG', '80') +
    el('NGAY_YL', '202503040835') +
    '</CHI_TIET_THUOC>'
  );
}

/** An XML2 inner file with `rows` drug lines (pretty-printing is irrelevant: it travels base64-encoded). */
export function innerXml2(rows: number): string {
  let s = `${DECL}\n<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>`;
  for (let i = 1; i <= rows; i++) s += thuocRow(i);
  return `${s}</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>`;
}

export function innerXml1(): string {
  return `${DECL}\n<TONG_HOP>${el('MA_LK', '79001_2025_03_0000123')}${el('HO_TEN', 'LÊ THỊ HỒNG NHUNG')}${el('CHAN_DOAN_RV', 'Viêm họng cấp & sốt <38,5°C>')}${el('T_TONGCHI_BV', '150000.00')}</TONG_HOP>`;
}

export function sampleEnvelope(xml2Rows = 3, ngayLap = '20250304'): string {
  const file = (loai: string, xml: string) =>
    `<FILEHOSO>${el('LOAIHOSO', loai)}${el('NOIDUNGFILE', Buffer.from(xml, 'utf8').toString('base64'))}</FILEHOSO>`;
  return (
    `${DECL}${GIAMDINHHS_OPEN}` +
    `<THONGTINDONVI>${el('MACSKCB', '79001')}</THONGTINDONVI>` +
    `<THONGTINHOSO>${el('NGAYLAP', ngayLap)}${el('SOLUONGHOSO', '1')}<DANHSACHHOSO><HOSO>` +
    file('XML1', innerXml1()) +
    (xml2Rows > 0 ? file('XML2', innerXml2(xml2Rows)) : '') +
    `</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>`
  );
}

/** A GIAMDINHHS envelope of roughly `bytes` bytes (UTF-8). */
export function envelopeOfSize(bytes: number): string {
  const base = Buffer.byteLength(sampleEnvelope(0));
  const perRow = Buffer.byteLength(thuocRow(1)) * (4 / 3);
  return sampleEnvelope(Math.max(1, Math.round((bytes - base) / perRow)));
}

/** Named canonical-ready samples for equivalence tests. */
export function canonicalSamples(): Array<[name: string, xml: string]> {
  return [
    ['check-in with one row', sampleCheckin(1)],
    ['check-in with five rows', sampleCheckin(5)],
    ['small GIAMDINHHS envelope', sampleEnvelope(1)],
    ['GIAMDINHHS envelope of about 20 KB', envelopeOfSize(20_000)],
    [
      'GIAMDINHHS with prefixed attributes and a carriage return in text',
      `${DECL}${GIAMDINHHS_OPEN}<THONGTINDONVI><MACSKCB>79001</MACSKCB><GHI_CHU a="x &amp; &lt;y> &quot;z&quot;&#xA;" xsi:nil="true"></GHI_CHU><MO_TA>dòng 1&#xD;\ndòng 2 &amp; &lt;3&gt;</MO_TA></THONGTINDONVI><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>`,
    ],
  ];
}
