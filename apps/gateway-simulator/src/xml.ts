import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom';

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
    doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, 'text/xml');
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
  return childElements(el).find((c) => c.localName === name || c.nodeName === name);
}

export function children(el: Element, name: string): Element[] {
  return childElements(el).filter((c) => c.localName === name || c.nodeName === name);
}

export function text(el: Element | undefined): string {
  return (el?.textContent ?? '').trim();
}

/** Strict base64 (RFC 4648 alphabet, padding, no whitespace). Returns undefined when invalid. */
export function strictBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const buf = Buffer.from(value, 'base64');
  return buf.toString('base64') === value ? buf : undefined;
}
