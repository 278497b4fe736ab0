import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import { child, parseXml, strictBase64, text, XmlError } from './xml';
import { cacheXmldomGrammarRegexes } from './xmldom-regex-cache';

describe('strictBase64', () => {
  const bytes = Buffer.from('<GIAMDINHHS>Nguyễn Thị Ánh</GIAMDINHHS>\u00ff\u00fe', 'utf8');
  const canonical = bytes.toString('base64');

  it('decodes canonical base64, padded or not, and the empty string', () => {
    expect(strictBase64(canonical)).toEqual(bytes);
    expect(strictBase64(Buffer.from([1, 2, 3]).toString('base64'))).toEqual(Buffer.from([1, 2, 3]));
    expect(strictBase64(Buffer.from([1]).toString('base64'))).toEqual(Buffer.from([1]));
    expect(strictBase64('')).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['a line break', `${canonical.slice(0, 8)}\n${canonical.slice(8)}`],
    ['a space replacing a character', ` ${canonical.slice(1)}`],
    ['a tab', `${canonical.slice(0, 4)}\t${canonical.slice(5)}`],
    ['the URL-safe alphabet', Buffer.from([0xfb, 0xff, 0xfe]).toString('base64url')],
    ['a character outside the alphabet', `${canonical.slice(0, -4)}AA*=`],
    ['missing padding', Buffer.from([1]).toString('base64').replace(/=+$/, '')],
    ['padding in the middle', `AA==${canonical}`],
    ['too much padding', 'AA==='],
    ['non-zero pad bits', 'AB=='],
  ])('refuses %s', (_label, value) => {
    expect(strictBase64(value)).toBeUndefined();
  });

  it('refuses URL-safe characters that Node would decode', () => {
    expect(Buffer.from('-_-_', 'base64').length).toBe(3);
    expect(strictBase64('-_-_')).toBeUndefined();
  });
});

describe('element helpers', () => {
  const doc = parseXml(
    '<R><A> one </A><B>x<!-- c -->y<?p q?><C>z</C></B><ns:D xmlns:ns="urn:n"><![CDATA[ cd ]]></ns:D></R>',
  );
  const root = doc.documentElement!;

  it('finds a child by local name or by qualified name', () => {
    expect(child(root, 'B')?.nodeName).toBe('B');
    expect(child(root, 'D')?.nodeName).toBe('ns:D');
    expect(child(root, 'ns:D')?.nodeName).toBe('ns:D');
    expect(child(root, 'C')).toBeUndefined();
  });

  it('reads trimmed text content whether the element holds one text node, CDATA or mixed content', () => {
    expect(text(child(root, 'A'))).toBe('one');
    expect(text(child(root, 'B'))).toBe('xyz');
    expect(text(child(root, 'D'))).toBe('cd');
    expect(text(undefined)).toBe('');
  });
});

describe('xmldom grammar expressions cache', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grammar = require('@xmldom/xmldom/lib/grammar') as {
    reg: (...p: Array<RegExp | string>) => RegExp;
    QName_group: RegExp;
    S_OPT: RegExp;
  };

  it('is installed by the xml helpers and hands out one compiled expression per list of parts', () => {
    expect(grammar.reg.name).toBe('cachedReg');
    expect(cacheXmldomGrammarRegexes()).toBe(true);
    const first = grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$');
    expect(grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$')).toBe(first);
    expect(first.source).toBe(`^${grammar.QName_group.source}${grammar.S_OPT.source}$`);
    expect(first.global || first.sticky).toBe(false);
    expect(grammar.reg('^', grammar.QName_group)).not.toBe(first);
  });

  it.each([
    ['<a><b></a></b>', 'Opening and ending tag mismatch'],
    ['<a></a b>', 'end tag name contains invalid characters'],
    ['<a></ a>', 'end tag name contains invalid characters'],
    ['<a></>', 'end tag name'],
    ['<a>text</a', 'end tag'],
  ])('still refuses the malformed end tags of %s', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
    expect(() => parseXml(xml)).toThrow(message);
    expect(() => new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml')).toThrow(
      message,
    );
  });

  it('still accepts end tags with trailing whitespace and prefixed names', () => {
    expect(parseXml('<p:a xmlns:p="urn:p"><b></b \n\t></p:a >').documentElement!.localName).toBe('a');
  });
});
