import { DOMParser } from '@xmldom/xmldom';
import { C14nCanonicalization } from 'xml-crypto';
import {
  buildCheckinDocument,
  buildClaimTables,
  buildEnvelope,
  escapeText,
  serializeClaimTables,
  serializeTable,
  tableSpec,
} from './index';
import { scenarios } from './testing';

const DECL = '<?xml version="1.0" encoding="utf-8"?>';

function c14n(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return new C14nCanonicalization().process(
    doc.documentElement as unknown as Parameters<C14nCanonicalization['process']>[0],
    {},
  ) as string;
}

describe('serializer', () => {
  const tables = buildClaimTables(scenarios['inpatientWithSurgery']!());
  const files = serializeClaimTables(tables);
  const envelope = buildEnvelope({ facilityCode: '79999', ngayLap: '20261107', files });

  it('writes inner documents in envelope order XML1, XML2, …', () => {
    expect(files.map((f) => f.loaiHoSo)).toEqual(['XML1', 'XML2', 'XML3', 'XML4', 'XML5', 'XML7', 'XML8']);
  });

  it('makes every document canonical-ready: bytes after the declaration equal inclusive C14N', () => {
    const special = scenarios['outpatientVisit']!();
    special.note = 'A & B <C> "d" \'e\'\r\nf\tg';
    special.patient.address = 'Số 1 > 0 & <x/>';
    const docs = [
      ...serializeClaimTables(buildClaimTables(special)).map((f) => f.xml),
      envelope,
      buildCheckinDocument(special),
    ];
    for (const xml of docs) {
      expect(xml.startsWith(DECL)).toBe(true);
      const body = xml.slice(DECL.length);
      expect(c14n(xml)).toBe(body);
    }
  });

  it('writes empty elements as start and end tag, never self-closing', () => {
    for (const f of files) expect(f.xml).not.toMatch(/<[A-Z_0-9]+\/>/);
    expect(envelope.endsWith('<CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>')).toBe(true);
  });

  it('escapes text exactly as C14N does', () => {
    expect(escapeText('a&b<c>d"e\'f\rg\nh\ti')).toBe('a&amp;b&lt;c&gt;d"e\'f&#xD;g\nh\ti');
    expect(escapeText('x\u0001y')).toBe('xy');
  });

  it('writes every field of the metadata in its position order', () => {
    const xml = serializeTable('XML1', tables.XML1!);
    const names = [...xml.matchAll(/<([A-Z_0-9]+)>/g)].map((m) => m[1]).slice(1);
    expect(names).toEqual(tableSpec('XML1').fieldNames);
  });

  it('declares xsd before xsi on GIAMDINHHS and nothing else', () => {
    expect(envelope).toContain(
      '<GIAMDINHHS xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><THONGTINDONVI><MACSKCB>79999</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261107</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>',
    );
    expect(envelope).not.toMatch(/\s<|>\s/);
  });

  it('base64-encodes the UTF-8 bytes of each inner document', () => {
    const m = envelope.match(/<NOIDUNGFILE>([^<]+)<\/NOIDUNGFILE>/);
    expect(Buffer.from(m![1]!, 'base64').toString('utf8')).toBe(files[0]!.xml);
  });

  it('ends the check-in document with an empty CHUKYDONVI after the row list', () => {
    const xml = buildCheckinDocument(scenarios['outpatientVisit']!());
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?><CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB><MA_LK>/,
    );
    expect(
      xml.endsWith(
        '</TRANG_THAI_KCB></DSACH_TRANG_THAI_KCB><CHUKYDONVI></CHUKYDONVI></CHI_TIEU_TRANG_THAI_KCB>',
      ),
    ).toBe(true);
  });

  it('is deterministic', () => {
    const again = buildEnvelope({
      facilityCode: '79999',
      ngayLap: '20261107',
      files: serializeClaimTables(buildClaimTables(scenarios['inpatientWithSurgery']!())),
    });
    expect(again).toBe(envelope);
  });

  it('keeps Vietnamese diacritics as UTF-8 characters', () => {
    expect(files[0]!.xml).toContain('Viêm ruột thừa cấp');
  });
});
