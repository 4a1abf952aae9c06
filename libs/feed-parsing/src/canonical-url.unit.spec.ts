import { canonicalUrl } from './canonical-url';

describe('canonicalUrl', () => {
  it('lower-cases scheme and host, drops default ports, the fragment and credentials', () => {
    expect(canonicalUrl('HTTPS://User:Secret@Policy.Trade.EC.Europa.EU:443/News/Item_EN#main')).toBe(
      'https://policy.trade.ec.europa.eu/News/Item_EN',
    );
    expect(canonicalUrl('http://example.org:80/a')).toBe('http://example.org/a');
    expect(canonicalUrl('http://example.org:8080/a')).toBe('http://example.org:8080/a');
  });

  it('removes tracking parameters and keeps the others in order', () => {
    expect(
      canonicalUrl(
        'https://example.org/n?id=7&utm_source=rss&UTM_Medium=feed&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref=home&lang=en',
      ),
    ).toBe('https://example.org/n?id=7&lang=en');
    expect(canonicalUrl('https://example.org/n?utm_source=rss')).toBe('https://example.org/n');
  });

  it('resolves relative links against a base', () => {
    expect(
      canonicalUrl('/government/publications/x?utm_source=search', 'https://www.gov.uk/api/search.json?q=1'),
    ).toBe('https://www.gov.uk/government/publications/x');
    expect(canonicalUrl('./art/1.html', 'http://www.mofcom.gov.cn/zwgk/zcfb/index.html')).toBe(
      'http://www.mofcom.gov.cn/zwgk/zcfb/art/1.html',
    );
  });

  it('refuses what is not an http(s) URL', () => {
    expect(canonicalUrl('')).toBeNull();
    expect(canonicalUrl('not a url')).toBeNull();
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('mailto:trade@example.org')).toBeNull();
    expect(canonicalUrl('/relative/without/base')).toBeNull();
  });
});
