import type { CheckinRow, ClaimTables, EncounterRecord } from './model';
import { buildCheckinRow } from './build';
import { CLAIM_TABLE_IDS, type StandardId, type TableId, tableSpec } from './spec/metadata';
import { standardFor } from './spec/standards';

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
export const SIGNATURE_PLACEHOLDER = '<CHUKYDONVI></CHUKYDONVI>';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

// Characters XML 1.0 forbids (C0 controls except TAB/LF/CR, U+FFFE/U+FFFF): dropped.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Text escaped exactly as inclusive C14N 1.0 writes text nodes. */
export function escapeText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return s
    .replace(FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#xD;');
}

const el = (name: string, text: string): string => `<${name}>${escapeText(text)}</${name}>`;

const tagCache = new WeakMap<readonly string[], { open: string[]; close: string[] }>();
function rowXml(fields: readonly string[], row: Readonly<Record<string, string | undefined>>): string {
  let tags = tagCache.get(fields);
  if (!tags) {
    tags = { open: fields.map((f) => `<${f}>`), close: fields.map((f) => `</${f}>`) };
    tagCache.set(fields, tags);
  }
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    const v = row[fields[i] as string];
    s += v ? tags.open[i] + escapeText(String(v)) + tags.close[i] : tags.open[i] + tags.close[i];
  }
  return s;
}

/** The edition of a set of tables: the one in force on XML1 NGAY_RA (the end of the encounter). */
export function standardOfTables(tables: ClaimTables): StandardId {
  return standardFor(tables.XML1?.[0]?.NGAY_RA ?? '');
}

/** One inner table document (XML declaration + root, no whitespace, C14N-ready) in the element order of the edition. */
export function serializeTable(
  id: TableId,
  rows: ReadonlyArray<Readonly<Record<string, string | undefined>>>,
  standard?: StandardId,
): string {
  const t = tableSpec(id, standard);
  if (t.single)
    return `${XML_DECLARATION}<${t.rootElement}>${rows[0] ? rowXml(t.fieldNames, rows[0]) : ''}</${t.rootElement}>`;
  let body = '';
  for (const r of rows) body += `<${t.rowElement}>${rowXml(t.fieldNames, r)}</${t.rowElement}>`;
  return `${XML_DECLARATION}<${t.rootElement}><${t.listElement}>${body}</${t.listElement}></${t.rootElement}>`;
}

/** Inner documents in envelope order (XML1, XML2, …, XML15), only tables with rows. */
export function serializeClaimTables(
  tables: ClaimTables,
  standard: StandardId = standardOfTables(tables),
): Array<{ loaiHoSo: string; xml: string }> {
  const out: Array<{ loaiHoSo: string; xml: string }> = [];
  for (const id of CLAIM_TABLE_IDS) {
    const rows = tables[id] as ReadonlyArray<Record<string, string>> | undefined;
    if (rows && rows.length) out.push({ loaiHoSo: id, xml: serializeTable(id, rows, standard) });
  }
  return out;
}

/** One reusable buffer for the UTF-8 bytes of the inner documents (a fresh Buffer per file cost more than the encoding). */
let scratch = Buffer.allocUnsafe(1 << 16);
function base64Utf8(text: string): string {
  if (text.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(text.length * 3); // UTF-8 needs at most 3 bytes per UTF-16 unit
  const n = scratch.write(text, 0, 'utf8');
  return scratch.toString('base64', 0, n);
}

/** Unsigned GIAMDINHHS envelope (one episode), `<CHUKYDONVI></CHUKYDONVI>` as last child. */
export function buildEnvelope(input: {
  facilityCode: string;
  ngayLap: string;
  files: Array<{ loaiHoSo: string; xml: string }>;
}): string {
  let files = '';
  for (const f of input.files)
    files += `<FILEHOSO>${el('LOAIHOSO', f.loaiHoSo)}<NOIDUNGFILE>${base64Utf8(f.xml)}</NOIDUNGFILE></FILEHOSO>`; // base64 needs no escaping
  return (
    `${XML_DECLARATION}<GIAMDINHHS xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}">` +
    `<THONGTINDONVI>${el('MACSKCB', input.facilityCode)}</THONGTINDONVI>` +
    `<THONGTINHOSO>${el('NGAYLAP', input.ngayLap)}<SOLUONGHOSO>1</SOLUONGHOSO>` +
    `<DANHSACHHOSO><HOSO>${files}</HOSO></DANHSACHHOSO></THONGTINHOSO>${SIGNATURE_PLACEHOLDER}</GIAMDINHHS>`
  );
}

/** Unsigned check-in document for rows already built. */
export function serializeCheckinRows(rows: readonly CheckinRow[]): string {
  const t = tableSpec('XML0', standardFor(rows[0]?.NGAY_VAO ?? ''));
  let body = '';
  for (const r of rows) body += `<${t.rowElement}>${rowXml(t.fieldNames, r)}</${t.rowElement}>`;
  return `${XML_DECLARATION}<${t.rootElement}><${t.listElement}>${body}</${t.listElement}>${SIGNATURE_PLACEHOLDER}</${t.rootElement}>`;
}

/** Unsigned XML0 check-in document (sequence 1 = reception, 2 = treating department). */
export function buildCheckinDocument(record: EncounterRecord, sequence?: number): string {
  return serializeCheckinRows([buildCheckinRow(record, sequence)]);
}
