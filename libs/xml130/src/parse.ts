import { DOMParser, type Element as XElement } from '@xmldom/xmldom';
import { emptyRow } from './build';
import type { CheckinRow, ClaimTables } from './model';
import { type ClaimTableId, isClaimTableId, type StandardId, tableSpec } from './spec/metadata';
import { standardFor } from './spec/standards';

/** Structural problem in a document; the message names elements, never values. */
export class Xml130ParseError extends Error {
  override readonly name = 'Xml130ParseError';
}

function parseXml(xml: string, what: string): XElement {
  const errors: string[] = [];
  let doc;
  try {
    doc = new DOMParser({
      // XML 1.0 §2.11 line-end handling only; xmldom's default also folds U+0085/U+2028/U+2029
      // (XML 1.1), which would change text the signer canonicalised.
      normalizeLineEndings: (input: string) => input.replace(/\r\n?/g, '\n'),
      onError: (level) => {
        if (level !== 'warning') errors.push(level);
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    throw new Xml130ParseError(`${what}: not well-formed XML`);
  }
  const root = doc.documentElement;
  if (errors.length || !root) throw new Xml130ParseError(`${what}: not well-formed XML`);
  return root;
}

function children(e: XElement): XElement[] {
  const out: XElement[] = [];
  for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XElement);
  return out;
}

function child(e: XElement, name: string, what: string): XElement {
  const c = children(e).find((x) => x.nodeName === name);
  if (!c) throw new Xml130ParseError(`${what}: missing element ${name}`);
  return c;
}

const text = (e: XElement): string => e.textContent ?? '';

/** Reads the unsigned or signed GIAMDINHHS envelope back into its parts. */
export function parseEnvelope(xml: string): {
  facilityCode: string;
  ngayLap: string;
  files: Array<{ loaiHoSo: string; xml: string }>;
} {
  const root = parseXml(xml, 'envelope');
  if (root.nodeName !== 'GIAMDINHHS')
    throw new Xml130ParseError(`envelope: root is ${root.nodeName}, expected GIAMDINHHS`);
  const facilityCode = text(child(child(root, 'THONGTINDONVI', 'envelope'), 'MACSKCB', 'envelope'));
  const info = child(root, 'THONGTINHOSO', 'envelope');
  const ngayLap = text(child(info, 'NGAYLAP', 'envelope'));
  const hoso = child(child(info, 'DANHSACHHOSO', 'envelope'), 'HOSO', 'envelope');
  const files = children(hoso)
    .filter((f) => f.nodeName === 'FILEHOSO')
    .map((f) => {
      const loaiHoSo = text(child(f, 'LOAIHOSO', 'FILEHOSO'));
      const b64 = text(child(f, 'NOIDUNGFILE', `FILEHOSO ${loaiHoSo}`)).replace(/\s+/g, '');
      return { loaiHoSo, xml: Buffer.from(b64, 'base64').toString('utf8') };
    });
  return { facilityCode, ngayLap, files };
}

function readRow<T extends 'XML0' | ClaimTableId>(
  id: T,
  e: XElement,
  standard: StandardId | undefined,
): Record<string, string> {
  const t = tableSpec(id, standard);
  const row = emptyRow(id, t.standard) as Record<string, string>;
  for (const c of children(e)) {
    if (!t.byName.has(c.nodeName))
      throw new Xml130ParseError(`${id}: ${c.nodeName} is not an element of ${id} under ${t.standard}`);
    row[c.nodeName] = text(c);
  }
  return row;
}

/** Rows of one inner table document, read with the elements of an edition (default: the latest). */
export function parseTable(
  id: ClaimTableId | 'XML0',
  xml: string,
  standard?: StandardId,
): Array<Record<string, string>> {
  const t = tableSpec(id, standard);
  const root = parseXml(xml, id);
  if (root.nodeName !== t.rootElement)
    throw new Xml130ParseError(`${id}: root is ${root.nodeName}, expected ${t.rootElement}`);
  if (t.single) return [readRow(id, root, t.standard)];
  const list = child(root, t.listElement ?? '', id);
  return children(list).map((r) => {
    if (r.nodeName !== t.rowElement) throw new Xml130ParseError(`${id}: unexpected element ${r.nodeName}`);
    return readRow(id, r, t.standard);
  });
}

/**
 * Inner documents (from parseEnvelope or serializeClaimTables) back to typed rows. The edition is
 * the one in force on XML1 NGAY_RA unless given: a file in another edition's shape (an element
 * that edition does not have) is a parse error naming the table and the element.
 */
export function parseClaimTables(
  files: Array<{ loaiHoSo: string; xml: string }>,
  options: { standard?: StandardId } = {},
): ClaimTables {
  const out: Record<string, Array<Record<string, string>>> = {};
  let standard = options.standard;
  if (!standard) {
    const x1 = files.find((f) => f.loaiHoSo === 'XML1');
    const ngayRa = x1 ? /<NGAY_RA>(\d{8})/.exec(x1.xml)?.[1] : undefined;
    standard = standardFor(ngayRa ?? '');
  }
  for (const f of files) {
    if (!isClaimTableId(f.loaiHoSo)) throw new Xml130ParseError(`unknown LOAIHOSO ${f.loaiHoSo}`);
    if (out[f.loaiHoSo]) throw new Xml130ParseError(`duplicate LOAIHOSO ${f.loaiHoSo}`);
    out[f.loaiHoSo] = parseTable(f.loaiHoSo, f.xml, standard);
  }
  return out as ClaimTables;
}

/** Check-in document back to its rows (CHUKYDONVI is ignored). */
export function parseCheckinDocument(xml: string): CheckinRow[] {
  const t = tableSpec('XML0');
  const root = parseXml(xml, 'XML0');
  if (root.nodeName !== t.rootElement)
    throw new Xml130ParseError(`XML0: root is ${root.nodeName}, expected ${t.rootElement}`);
  const list = child(root, t.listElement ?? '', 'XML0');
  // XML0 has the same elements in every edition; only lengths differ (validateCheckin).
  return children(list).map((r) => readRow('XML0', r, undefined) as CheckinRow);
}
