import * as iconv from 'iconv-lite';
import { decodeFeedBytes, stripIllegalXmlChars } from '@frictionwatch/fetcher';

const french = 'Mesures antidumping – acier “laminé à froid” €';
const chinese = '商务部公告2026年第12号：对原产于欧盟的进口猪肉反倾销调查的最终裁定';
const russian = 'Антидемпинговая пошлина на сталь';
const japanese = '経済産業省 不当廉売関税';

describe('decodeFeedBytes', () => {
  it('decodes windows-1252 named by the HTTP charset only', () => {
    const body = iconv.encode(`<?xml version="1.0"?><t>${french}</t>`, 'windows-1252');
    expect(decodeFeedBytes(body, 'application/rss+xml; charset=windows-1252')).toEqual({
      text: `<?xml version="1.0"?><t>${french}</t>`,
      charset: 'windows-1252',
    });
  });

  it('reads iso-8859-1 and us-ascii labels as windows-1252, as browsers do', () => {
    const body = iconv.encode(`<t>${french}</t>`, 'windows-1252');
    expect(decodeFeedBytes(body, 'text/xml; charset="ISO-8859-1"').text).toBe(`<t>${french}</t>`);
    expect(decodeFeedBytes(body, 'text/xml; charset=us-ascii').charset).toBe('windows-1252');
  });

  it('decodes GBK named by the XML declaration only (GB2312 label)', () => {
    const xml = `<?xml version="1.0" encoding="gb2312"?><rss><title>${chinese}</title></rss>`;
    const decoded = decodeFeedBytes(iconv.encode(xml, 'gbk'), 'text/xml');
    expect(decoded).toEqual({ text: xml, charset: 'gbk' });
  });

  it('decodes GB18030, Big5, Shift_JIS and KOI8-R', () => {
    const check = (text: string, charset: string, expected = charset): void => {
      const xml = `<?xml version="1.0" encoding='${charset}'?><t>${text}</t>`;
      expect(decodeFeedBytes(iconv.encode(xml, charset), null)).toEqual({ text: xml, charset: expected });
    };
    check(chinese, 'gb18030');
    check('經濟部國際貿易署', 'big5');
    check(japanese, 'Shift_JIS', 'shift_jis');
    check(russian, 'KOI8-R', 'koi8-r');
    check('Cło antydumpingowe', 'ISO-8859-2', 'iso-8859-2');
  });

  it('lets a byte-order mark win over the header and the declaration', () => {
    const xml = `<?xml version="1.0" encoding="windows-1252"?><t>${chinese}</t>`;
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    expect(decodeFeedBytes(utf8, 'text/xml; charset=gbk')).toEqual({ text: xml, charset: 'utf-8' });
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(xml, 'utf-16le')]);
    expect(decodeFeedBytes(utf16le, null)).toEqual({ text: xml, charset: 'utf-16le' });
    const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(xml, 'utf-16be')]);
    expect(decodeFeedBytes(utf16be, null)).toEqual({ text: xml, charset: 'utf-16be' });
  });

  it('prefers the HTTP charset over the XML declaration', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><t>${russian}</t>`;
    expect(decodeFeedBytes(iconv.encode(xml, 'koi8-r'), 'text/xml; charset=koi8-r').text).toBe(xml);
  });

  it('reads an HTML <meta charset> and http-equiv', () => {
    const html = `<!doctype html><html><head><meta charset="gbk"><title>${chinese}</title></head></html>`;
    expect(decodeFeedBytes(iconv.encode(html, 'gbk'), 'text/html')).toEqual({ text: html, charset: 'gbk' });
    const legacy = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>${chinese}</body></html>`;
    expect(decodeFeedBytes(iconv.encode(legacy, 'gbk'), null).charset).toBe('gbk');
  });

  it('defaults to UTF-8', () => {
    const xml = `<rss><t>${chinese} ${french}</t></rss>`;
    expect(decodeFeedBytes(Buffer.from(xml), null)).toEqual({ text: xml, charset: 'utf-8' });
    expect(decodeFeedBytes(Buffer.alloc(0), null)).toEqual({ text: '', charset: 'utf-8' });
  });

  it('falls back to UTF-8 with a note on an unknown charset, without crashing', () => {
    const xml = `<?xml version="1.0" encoding="x-klingon"?><t>${french}</t>`;
    const decoded = decodeFeedBytes(Buffer.from(xml), 'text/xml; charset=x-unknown-42');
    expect(decoded.text).toBe(xml);
    expect(decoded.charset).toBe('utf-8');
    expect(decoded.note).toMatch(/unknown charset "x-unknown-42".*decoded as utf-8/);
  });

  it('falls through an unknown header charset to a known declaration, with a note', () => {
    const xml = `<?xml version="1.0" encoding="windows-1252"?><t>${french}</t>`;
    const decoded = decodeFeedBytes(iconv.encode(xml, 'windows-1252'), 'text/xml; charset=bogus');
    expect(decoded).toEqual({
      text: xml,
      charset: 'windows-1252',
      note: 'unknown charset "bogus" in the Content-Type header; decoded as windows-1252',
    });
  });

  it('ignores a UTF-16 declaration on ASCII-compatible bytes (a mislabel)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-16"?><t>${french}</t>`;
    expect(decodeFeedBytes(Buffer.from(xml), null)).toMatchObject({ text: xml, charset: 'utf-8' });
  });

  it('replaces invalid UTF-8 and strips characters illegal in XML 1.0', () => {
    const body = Buffer.concat([
      Buffer.from('<t>a\u0000b\u0008c\u000Bd\u001Fe\tf\ng\rh\uFFFEi\uFFFF'),
      Buffer.from([0xff]),
      Buffer.from('j😀</t>'),
    ]);
    expect(decodeFeedBytes(body, null).text).toBe('<t>abcde\tf\ng\rhi\uFFFDj😀</t>');
  });
});

describe('stripIllegalXmlChars', () => {
  it('removes control characters and lone surrogates, keeps astral characters', () => {
    expect(stripIllegalXmlChars('x\uD800y\uDC00z😀\u0085\u007F')).toBe('xyz😀\u0085\u007F');
  });
});
