import { SigningError } from './errors';
import { SIGNATURE_CONTAINER } from './xmldsig-profile';

/**
 * Cheap structural check that a document is "canonical-ready" (what libs/xml130 emits):
 *
 *   <?xml version="1.0" encoding="utf-8"?>[whitespace]<ROOT …>…<CHUKYDONVI></CHUKYDONVI></ROOT>[whitespace]
 *
 * where the root element's bytes are already inclusive C14N 1.0:
 *  - no comments, processing instructions, CDATA sections or DOCTYPE;
 *  - start tags `<name attr="v">` with single spaces, double quotes, no `/>`;
 *  - namespace declarations only on the root, in C14N order (default first, then by prefix),
 *    never `xmlns=""` nor `xmlns:xml`; attributes after them sorted by (namespace URI, local name);
 *  - text escaped exactly as C14N does (`&amp;` `&lt;` `&gt;` `&#xD;`, nothing else, no raw `>` or CR);
 *    attribute values likewise (`&amp;` `&lt;` `&quot;` `&#x9;` `&#xA;` `&#xD;`);
 *  - no characters outside the XML 1.0 Char production; balanced tags;
 *  - exactly one `CHUKYDONVI` element, empty, last child of the root.
 * It is a single linear pass with sticky regular expressions (no DOM). Anything else is refused
 * with SigningError('NOT_CANONICAL'); callers who have arbitrary XML use signXmlGeneric.
 */
export interface CanonicalReadyDocument {
  /** index of `<` of the root start tag */
  rootStart: number;
  /** index just after `>` of the root end tag */
  rootEnd: number;
  rootName: string;
  /** index of `</CHUKYDONVI>` (where the Signature is inserted) */
  insertAt: number;
  /** namespace declarations of the root in C14N order: [prefix ('' = default), attribute text as written] */
  rootNamespaces: Array<[prefix: string, attribute: string]>;
}

const DECL = /<\?xml version="1\.0" encoding="(?:utf|UTF)-8"\?>[ \t\r\n]*/y;
// Text: any XML Char except < > & CR, or one of the entity forms C14N emits.
// eslint-disable-next-line no-control-regex -- excluding the characters XML 1.0 forbids is the point
const TEXT = /(?:[^<>&\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]+|&(?:amp|lt|gt|#xD);)*/y;
const NAME = '[^\\s<>/="\'&!?]+';
const ATTR_VALUE =
  '(?:[^<"&\\t\\n\\r\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]|&(?:amp|lt|quot|#x9|#xA|#xD);)*';
const START_TAG = new RegExp(`<(${NAME})((?: ${NAME}="${ATTR_VALUE}")*)>`, 'y');
const END_TAG = new RegExp(`</(${NAME})>`, 'y');
const ATTR = new RegExp(` (${NAME})="(${ATTR_VALUE})"`, 'g');
const TRAILING_WS = /[ \t\r\n]*$/y;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function refuse(reason: string, at: number): never {
  throw new SigningError('NOT_CANONICAL', `document is not canonical-ready: ${reason} (at character ${at})`);
}

export function checkCanonicalReady(xml: string): CanonicalReadyDocument {
  DECL.lastIndex = 0;
  if (!DECL.test(xml)) refuse('it must start with <?xml version="1.0" encoding="utf-8"?>', 0);
  const rootStart = DECL.lastIndex;
  const stack: string[] = [];
  let pos = rootStart;
  let rootName = '';
  let rootNamespaces: Array<[string, string]> = [];
  const nsUris = new Map<string, string>([['xml', XML_NS]]);
  let containers = 0;
  let containerStart = -1;
  let rootEnd = -1;

  while (pos < xml.length) {
    const ch = xml.charCodeAt(pos);
    if (ch !== 0x3c /* < */) {
      if (stack.length === 0) break;
      TEXT.lastIndex = pos;
      TEXT.test(xml);
      if (TEXT.lastIndex === pos || xml.charCodeAt(TEXT.lastIndex) !== 0x3c) {
        const bad = TEXT.lastIndex;
        refuse(
          bad >= xml.length
            ? 'unterminated element'
            : `character ${JSON.stringify(xml[bad])} must be escaped (or is not allowed) in canonical text`,
          bad,
        );
      }
      pos = TEXT.lastIndex;
      continue;
    }
    const next = xml.charCodeAt(pos + 1);
    if (next === 0x2f /* / */) {
      END_TAG.lastIndex = pos;
      const m = END_TAG.exec(xml);
      if (!m) refuse('malformed end tag', pos);
      const open = stack.pop();
      if (open !== m[1]) refuse(`end tag </${m[1]}> does not match <${open}>`, pos);
      pos = END_TAG.lastIndex;
      if (stack.length === 0) {
        rootEnd = pos;
        break;
      }
      continue;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */)
      refuse('comments, CDATA, DOCTYPE and processing instructions are not allowed', pos);
    if (stack.length === 0 && pos !== rootStart) refuse('content after the root element', pos);
    START_TAG.lastIndex = pos;
    const m = START_TAG.exec(xml);
    if (!m) refuse('malformed or non-canonical start tag (self-closing, quoting, spacing or escaping)', pos);
    const name = m[1]!;
    if (m[2]) {
      const ns = checkAttributes(m[2], stack.length === 0, nsUris, pos);
      if (stack.length === 0) rootNamespaces = ns;
    }
    if (stack.length === 0) rootName = name;
    if (name === SIGNATURE_CONTAINER) {
      containers++;
      containerStart = pos;
    }
    stack.push(name);
    pos = START_TAG.lastIndex;
  }
  if (rootEnd < 0) refuse('the root element is not closed', xml.length);
  TRAILING_WS.lastIndex = rootEnd;
  TRAILING_WS.test(xml);
  if (TRAILING_WS.lastIndex !== xml.length) refuse('content after the root element', rootEnd);
  const tail = `<${SIGNATURE_CONTAINER}></${SIGNATURE_CONTAINER}></${rootName}>`;
  if (containers !== 1)
    refuse(`expected exactly one <${SIGNATURE_CONTAINER}> element, found ${containers}`, rootStart);
  if (containerStart !== rootEnd - tail.length || !xml.startsWith(tail, containerStart)) {
    refuse(
      `<${SIGNATURE_CONTAINER}></${SIGNATURE_CONTAINER}> must be the empty last child of the root`,
      containerStart,
    );
  }
  return {
    rootStart,
    rootEnd,
    rootName,
    insertAt: containerStart + SIGNATURE_CONTAINER.length + 2,
    rootNamespaces,
  };
}

/** Checks C14N attribute order; returns the namespace declarations (only allowed on the root). */
function checkAttributes(
  attrs: string,
  isRoot: boolean,
  nsUris: Map<string, string>,
  at: number,
): Array<[string, string]> {
  const namespaces: Array<[string, string]> = [];
  const plain: Array<{ name: string; prefix: string; local: string }> = [];
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(attrs); m; m = ATTR.exec(attrs)) {
    const name = m[1]!;
    const value = m[2]!;
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (plain.length > 0) refuse('namespace declarations must come before attributes', at);
      if (!isRoot) refuse('namespace declarations are only supported on the root element', at);
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      if (value === '') refuse('empty namespace declarations are not supported', at);
      if (prefix === 'xml' || prefix === 'xmlns') refuse(`declaration of the reserved prefix ${prefix}`, at);
      const prev = namespaces[namespaces.length - 1];
      if (prev && !(prev[0] < prefix)) refuse('namespace declarations are not in C14N order', at);
      namespaces.push([prefix, m[0].slice(1)]);
      if (prefix) nsUris.set(prefix, value);
    } else {
      const colon = name.indexOf(':');
      plain.push({
        name,
        prefix: colon < 0 ? '' : name.slice(0, colon),
        local: colon < 0 ? name : name.slice(colon + 1),
      });
    }
  }
  let prevKey: [string, string] | undefined;
  for (const a of plain) {
    let uri = '';
    if (a.prefix) {
      const u = nsUris.get(a.prefix);
      if (u === undefined) refuse(`undeclared prefix ${a.prefix}`, at);
      uri = u;
    }
    const key: [string, string] = [uri, a.local];
    if (prevKey && !(prevKey[0] < key[0] || (prevKey[0] === key[0] && prevKey[1] < key[1])))
      refuse('attributes are not in C14N order', at);
    prevKey = key;
  }
  return namespaces;
}
