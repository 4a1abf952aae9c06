import { feedUrlRefusal } from '@frictionwatch/fetcher';

/** A resolver of our own: names resolve to what a hostile DNS would answer, no network involved. */
const answers: Record<string, string[]> = {
  'internal.example.test': ['10.1.2.3'],
  'metadata.example.test': ['169.254.169.254'],
  'loopback.example.test': ['127.0.0.1'],
  'mapped.example.test': ['::ffff:127.0.0.1'],
  'mixed.example.test': ['93.184.216.34', '192.168.1.10'],
  'public.example.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
};
const lookup = async (hostname: string) => {
  const found = answers[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address }));
};
const refusal = (url: string, allowPrivateNetworks = false) =>
  feedUrlRefusal(url, { allowPrivateNetworks, lookup });

describe('feedUrlRefusal: feed URLs the admin API refuses to register', () => {
  it.each([
    ['http://127.0.0.1/feed.xml', '127.0.0.1'],
    ['http://2130706433/feed.xml', '127.0.0.1'], // decimal
    ['http://0x7f000001/feed.xml', '127.0.0.1'], // hex
    ['http://0177.0.0.1/feed.xml', '127.0.0.1'], // octal
    ['http://127.1/', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'], // IPv4-mapped IPv6
    ['http://[::1]:8080/', '::1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://10.0.0.1/', '10.0.0.1'],
    ['https://192.168.1.1/', '192.168.1.1'],
    ['http://[fe80::1]/', 'fe80::1'],
    ['http://0.0.0.0/', '0.0.0.0'],
  ])('refuses the address literal %s', async (url, shown) => {
    expect(await refusal(url)).toBe(
      `points at ${shown}, a loopback, private, link-local or otherwise non-public address (FETCH_ALLOW_PRIVATE_NETWORKS is off)`,
    );
  });

  it.each([
    ['http://internal.example.test/feed.xml', '10.1.2.3'],
    ['http://metadata.example.test/', '169.254.169.254'],
    ['http://loopback.example.test:3000/', '127.0.0.1'],
    ['http://mapped.example.test/', '::ffff:127.0.0.1'],
    ['https://mixed.example.test/rss', '192.168.1.10'],
  ])('refuses %s, a name that resolves to a forbidden address', async (url, address) => {
    expect(await refusal(url)).toMatch(
      new RegExp(`^names [a-z.]+, which resolves to ${address.replace(/\./g, '\\.')}, `),
    );
  });

  it('accepts public addresses and names, and names that do not resolve (the fetch guard decides later)', async () => {
    expect(await refusal('https://public.example.test/feed.xml')).toBeNull();
    expect(await refusal('http://93.184.216.34/feed.xml')).toBeNull();
    expect(await refusal('https://unknown.example.test/feed.xml')).toBeNull();
  });

  it('allows private addresses when FETCH_ALLOW_PRIVATE_NETWORKS is on', async () => {
    expect(await refusal('http://127.0.0.1:8080/feed.xml', true)).toBeNull();
    expect(await refusal('http://internal.example.test/', true)).toBeNull();
  });

  it('refuses other schemes, credentials in the URL and what is not a URL, whatever the setting', async () => {
    expect(await refusal('ftp://public.example.test/feed.xml', true)).toBe('must be an http or https URL');
    expect(await refusal('file:///etc/passwd', true)).toBe('must be an http or https URL');
    expect(await refusal('https://user:secret@public.example.test/', true)).toBe(
      'must not carry credentials',
    );
    expect(await refusal('not a url', true)).toBe('is not a valid URL');
  });

  it('leaves a name whose lookup does not answer in time to the fetch guard', async () => {
    const never = () => new Promise<{ address: string }[]>(() => undefined);
    expect(
      await feedUrlRefusal('https://slow.example.test/', {
        allowPrivateNetworks: false,
        lookup: never,
        lookupTimeoutMs: 20,
      }),
    ).toBeNull();
  });
});
