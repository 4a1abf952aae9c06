import { htmlToText } from './plain-text';
import { findDtd, nestingDepth, repairXml, sniffRoot } from './markup-guards';

describe('htmlToText', () => {
  it('strips tags with an HTML parser, decodes entities and folds whitespace', () => {
    expect(
      htmlToText('<p>Duties of <strong>17.4%</strong>&nbsp;to&#160;37.6%</p>\n\n<p>on BEVs &amp; parts</p>'),
    ).toBe('Duties of 17.4% to 37.6% on BEVs & parts');
    expect(htmlToText('line<br>break<li>item</li>')).toBe('line break item');
  });

  it('drops script and style content and control characters', () => {
    expect(htmlToText('<style>p{}</style><script>alert("x")</script>Text\u0007 here')).toBe('Text here');
  });

  it('keeps text that only looks like markup', () => {
    expect(htmlToText('Tariffs < 5% & rising')).toBe('Tariffs < 5% & rising');
  });

  it('caps the length', () => {
    expect(htmlToText('x'.repeat(50_000), 100)).toHaveLength(100);
    expect(htmlToText('word '.repeat(10_000), 100)).toBe('word '.repeat(20).trim());
  });

  it('gives text without markup or entities the same result as the parser does', () => {
    // An empty inline element adds no text but sends the input through the parser: the oracle.
    const viaParser = (text: string, max?: number) => htmlToText(`${text}<i></i>`, max);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [
      'Duties',
      ' ',
      '  ',
      '\n',
      '\t',
      '\r\n',
      '\u00a0',
      '\u3000',
      '\u200b',
      '\u0007',
      '\ufffe',
      '>',
      '"',
      "'",
      '17.4%',
      '反倾销',
      '😀',
      'é',
      '\u0000',
      'x',
    ];
    for (let n = 0; n < 500; n += 1) {
      const text = Array.from({ length: 1 + random(40) }, () => pieces[random(pieces.length)]).join('');
      const max = [20_000, 10, 25][random(3)];
      expect(htmlToText(text, max)).toBe(viaParser(text, max));
    }
  });
});

describe('markup guards', () => {
  it('sniffs the root element', () => {
    expect(sniffRoot('\ufeff<?xml version="1.0"?>\n<!-- c --><rss version="2.0">')).toEqual({
      kind: 'feed',
      tag: '<rss>',
    });
    expect(sniffRoot('<rdf:RDF xmlns:rdf="x">')).toEqual({ kind: 'feed', tag: '<rdf:RDF>' });
    expect(sniffRoot('<feed xmlns="http://www.w3.org/2005/Atom">')).toEqual({ kind: 'feed', tag: '<feed>' });
    expect(sniffRoot('<!DOCTYPE html><html>')).toEqual({ kind: 'html', tag: '<!DOCTYPE html>' });
    expect(sniffRoot('<HTML lang="en">')).toEqual({ kind: 'html', tag: '<html>' });
    expect(sniffRoot(' {"a":1}')).toEqual({ kind: 'json' });
    expect(sniffRoot('   ')).toEqual({ kind: 'empty' });
    expect(sniffRoot('<urlset>')).toEqual({ kind: 'xml', tag: '<urlset>' });
    expect(sniffRoot('\u0000\u0001garbage')).toMatchObject({ kind: 'text' });
  });

  it('finds DTD declarations outside CDATA and comments only', () => {
    expect(findDtd('<rss><!DOCTYPE x></rss>')).toBe('DOCTYPE');
    expect(findDtd('<rss><!ENTITY x "y"></rss>')).toBe('ENTITY');
    expect(
      findDtd('<rss><description><![CDATA[<!DOCTYPE html><p>x</p>]]></description><!-- <!ENTITY --></rss>'),
    ).toBeNull();
  });

  it('measures nesting depth linearly and stops past the limit', () => {
    expect(nestingDepth('<a><b/><c><d></d></c></a>', false, 100)).toBe(3);
    expect(nestingDepth('<p>a<br>b<img src="x"></p>', true, 100)).toBe(1);
    expect(nestingDepth('<x>'.repeat(100_000), false, 1000)).toBe(1001);
  });

  it('repairs bare ampersands, HTML entities and illegal characters, leaving CDATA alone', () => {
    const decode = (name: string) => (name === 'nbsp' ? '\u00a0' : null);
    const { text, fixes } = repairXml('<t>A & B &amp; C&nbsp;D &bogus; \u0001<![CDATA[x & y]]></t>', decode);
    expect(text).toBe('<t>A &amp; B &amp; C&#160;D &amp;bogus; <![CDATA[x & y]]></t>');
    expect(fixes).toEqual([
      "escaped 2 bare '&'",
      'replaced 1 HTML entities',
      'removed 1 characters illegal in XML',
    ]);
  });
});
