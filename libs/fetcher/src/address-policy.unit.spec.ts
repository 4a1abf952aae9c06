import { canonicalIpAddress, isForbiddenAddress } from '@frictionwatch/fetcher';

describe('isForbiddenAddress', () => {
  it.each([
    // private
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    // loopback
    '127.0.0.1',
    '127.255.255.254',
    '::1',
    '0:0:0:0:0:0:0:1',
    // link-local and metadata
    '169.254.0.1',
    '169.254.169.254',
    'fe80::1',
    'FE80::1',
    'fe80::1%eth0',
    'febf::1',
    'fd00:ec2::254',
    // carrier-grade NAT
    '100.64.0.1',
    '100.127.255.255',
    // unspecified
    '0.0.0.0',
    '0.1.2.3',
    '::',
    // unique local
    'fc00::1',
    'fdff:ffff::1',
    // multicast, broadcast, reserved, documentation, benchmarking
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    '192.0.0.8',
    '192.0.2.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    'ff02::1',
    'fec0::1',
    '100::1',
    '2001:db8::1',
    '2001::1', // Teredo
    '3fff::1',
    // IPv4 inside IPv6
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '[::ffff:127.0.0.1]',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:8.8.8.8', // mapped addresses are refused whatever they embed
    '::127.0.0.1', // IPv4-compatible
    '::7f00:1',
    '::ffff:0:7f00:1', // IPv4-translated
    '64:ff9b::7f00:1', // NAT64 of loopback
    '64:ff9b::a9fe:a9fe', // NAT64 of the metadata service
    '64:ff9b:1::1', // local-use NAT64
    '2002:7f00:1::1', // 6to4 of loopback
    '2002:a00:1::1', // 6to4 of 10.0.0.1
    // legacy IPv4 literal forms
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '127.1',
    '0x7f.1',
    '127.0.0.1.',
    '0',
    // not an address at all: refused (fail closed)
    'localhost',
    'example.com',
    '',
    '1.2.3.4.5',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '169.253.255.255',
    '192.169.0.1',
    '223.255.255.254',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81c::200e',
    '64:ff9b::808:808', // NAT64 of a public address
    '2002:808:808::1', // 6to4 of a public address
  ])('allows the public address %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});

describe('canonicalIpAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '::ffff:127.0.0.1'],
    ['::FFFF:7F00:1', '::ffff:7f00:1'],
    ['fe80::1%25eth0', 'fe80::1'],
    ['example.com', null],
    ['', null],
  ])('reads %s as %s', (input, expected) => {
    expect(canonicalIpAddress(input)).toBe(expected);
  });

  it('agrees with the WHATWG URL parser on the hosts a fetch sees', () => {
    for (const host of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]']) {
      const hostname = new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, '');
      expect(isForbiddenAddress(hostname)).toBe(true);
    }
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });
});
