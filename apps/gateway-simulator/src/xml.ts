import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom';
import { cacheXmldomGrammarRegexes } from './xmldom-regex-cache';

// Process-wide and behaviour-preserving; see the function for why and the figures.
cacheXmldomGrammarRegexes();

export class XmlError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8 decode; throws XmlError on invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new XmlError('file is not valid UTF-8');
  }
}

/** Parses well-formed XML or throws XmlError. A declared encoding other than UTF-8 is refused. */
export function parseXml(text: string): Document {
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(text);
  if (decl && !/^utf-?8$/i.test(decl[1]!)) throw new XmlError(`declared encoding ${decl[1]} is not UTF-8`);
  let doc: Document;
  try {
    // No locator: it only stamps line/column on every node (nothing here reads them) and costs
    // about a tenth of the parse; the error messages do not carry positions either way.
    doc = new DOMParser({ onError: onWarningStopParsing, locator: false }).parseFromString(text, 'text/xml');
  } catch (e) {
    throw new XmlError(`XML is not well-formed: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc.documentElement) throw new XmlError('XML has no root element');
  return doc;
}

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function child(el: Element, name: string): Element | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && ((n as Element).localName === name || n.nodeName === name)) return n as Element;
  }
  return undefined;
}

export function children(el: Element, name: string): Element[] {
  return childElements(el).filter((c) => c.localName === name || c.nodeName === name);
}

export function text(el: Element | undefined): string {
  const only = el?.firstChild;
  // A lone text or CDATA child is the whole textContent; skip the generic tree walk.
  if (only && !only.nextSibling && (only.nodeType === 3 || only.nodeType === 4))
    return (only.nodeValue ?? '').trim();
  return (el?.textContent ?? '').trim();
}

/**
 * Strict base64 (RFC 4648 alphabet, padding, no whitespace). Returns undefined when invalid.
 * Node's decoder is lenient (it skips whitespace and unknown characters, accepts '-' and '_', and
 * missing padding), but its encoder only ever writes canonical base64: [A-Za-z0-9+/], '=' padding,
 * a length that is a multiple of 4, zero pad bits. So the value is strict exactly when re-encoding
 * the decoded bytes gives the value back; no separate alphabet scan is needed.
 */
export function strictBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0) return undefined;
  const buf = Buffer.from(value, 'base64');
  return buf.toString('base64') === value ? buf : undefined;
}
