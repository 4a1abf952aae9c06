import { isIP } from 'node:net';

/**
 * The SSRF guard's address rules. An address is allowed only when it is a public unicast address:
 * IPv4 outside every special-purpose block (IANA registry), IPv6 inside global unicast 2000::/3 minus
 * its special blocks. IPv4-mapped and IPv4-compatible IPv6 addresses are refused whatever they embed;
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are judged by the IPv4 address they carry.
 * Anything that is not an IP address is refused (fail closed).
 */

type Cidr4 = readonly [number, number]; // [network as uint32, prefix length]

const ipv4Blocks: readonly Cidr4[] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.31.196.0', 24], // AS112
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // AS112 direct delegation
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
].map(([address, prefix]) => [ipv4ToInt(parseIpv4(address as string)!), prefix as number] as const);

function ipv4ToInt(bytes: readonly number[]): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

function parseIpv4(text: string): number[] | null {
  if (isIP(text) !== 4) return null;
  return text.split('.').map(Number);
}

/** Parses a textual IPv6 address (no brackets, no zone) into 16 bytes. */
function parseIpv6(text: string): number[] | null {
  if (isIP(text) !== 6) return null;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail4 = v4;
    head = text.slice(0, lastColon + 1) + '0:0'; // placeholder, replaced below
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const toGroups = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const leftGroups = toGroups(left);
  const rightGroups = toGroups(right);
  const missing = 8 - leftGroups.length - rightGroups.length;
  if (right === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [
    ...leftGroups,
    ...new Array<number>(right === undefined ? 0 : missing).fill(0),
    ...rightGroups,
  ];
  const bytes = groups.flatMap((group) => [group >> 8, group & 0xff]);
  if (tail4.length === 4) bytes.splice(12, 4, ...tail4);
  return bytes;
}

function isForbiddenIpv4(bytes: readonly number[]): boolean {
  const value = ipv4ToInt(bytes);
  return ipv4Blocks.some(([network, prefix]) => {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    return (value & mask) >>> 0 === network;
  });
}

function startsWith(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const remaining = Math.min(8, bits - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (prefix[bit / 8]! & mask)) return false;
  }
  return true;
}

const v6 = (text: string): number[] => parseIpv6(text)!;

const ipv6Blocks: readonly (readonly [number[], number])[] = [
  [v6('64:ff9b:1::'), 48], // local-use NAT64
  [v6('2001::'), 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID, ...
  [v6('2001:db8::'), 32], // documentation
  [v6('3fff::'), 20], // documentation (2024)
  [v6('5f00::'), 16], // SRv6 SIDs
];

function isForbiddenIpv6(bytes: readonly number[]): boolean {
  const firstTen = bytes.slice(0, 10);
  const zeroTen = firstTen.every((byte) => byte === 0);
  // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): all refused.
  if (zeroTen && ((bytes[10] === 0 && bytes[11] === 0) || (bytes[10] === 0xff && bytes[11] === 0xff))) {
    return true;
  }
  // ::ffff:0:0:0/96 (IPv4-translated, SIIT) is refused as well.
  if (bytes.slice(0, 8).every((byte) => byte === 0) && bytes[8] === 0xff && bytes[9] === 0xff) return true;
  if (startsWith(bytes, v6('64:ff9b::'), 96)) return isForbiddenIpv4(bytes.slice(12, 16));
  if (startsWith(bytes, v6('2002::'), 16)) return isForbiddenIpv4(bytes.slice(2, 6));
  if (ipv6Blocks.some(([prefix, bits]) => startsWith(bytes, prefix, bits))) return true;
  // Only global unicast (2000::/3) is allowed; this refuses fc00::/7 (unique local, incl. fd00:ec2::254),
  // fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast), 100::/64 (discard), ...
  return (bytes[0]! & 0xe0) !== 0x20;
}

/**
 * Turns a host as written (IP literal in any form the WHATWG URL parser accepts: `127.1`, `2130706433`,
 * `0x7f000001`, `0177.0.0.1`, `[::ffff:127.0.0.1]`, `::1%eth0`) into a canonical IP string, or null
 * when it is not an IP address.
 */
export function canonicalIpAddress(host: string): string | null {
  let text = host.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0 && text.includes(':')) text = text.slice(0, zone);
  if (isIP(text) !== 0) return text.toLowerCase();
  try {
    const hostname = new URL(`http://${text.includes(':') ? `[${text}]` : text}/`).hostname;
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    return isIP(bare) !== 0 ? bare : null;
  } catch {
    return null;
  }
}

/** True when the SSRF guard must refuse a connection to this address (also for anything not an IP). */
export function isForbiddenAddress(address: string): boolean {
  const canonical = canonicalIpAddress(address);
  if (canonical === null) return true;
  const ipv4 = parseIpv4(canonical);
  if (ipv4) return isForbiddenIpv4(ipv4);
  const ipv6 = parseIpv6(canonical);
  return ipv6 === null || isForbiddenIpv6(ipv6);
}
