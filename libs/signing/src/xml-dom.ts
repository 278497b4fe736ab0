import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { SigningError } from './errors';

/** Parses XML strictly: any error or warning of the parser is an INVALID_XML SigningError. */
export function parseXml(xml: string): Document {
  try {
    const doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new SigningError('INVALID_XML', `invalid XML: ${msg}`);
      },
    }).parseFromString(xml, 'text/xml');
    if (!doc.documentElement) throw new SigningError('INVALID_XML', 'invalid XML: no root element');
    return doc;
  } catch (e) {
    if (e instanceof SigningError) throw e;
    throw new SigningError('INVALID_XML', `invalid XML: ${(e as Error).message}`);
  }
}

/** xmldom writes a carriage return of text raw, which would parse back as a line feed: escape it. */
export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node).replace(/\r/g, '&#xD;');
}

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function elementsByLocalName(doc: Document, localName: string): Element[] {
  const list = doc.getElementsByTagNameNS('*', localName);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  return out;
}
