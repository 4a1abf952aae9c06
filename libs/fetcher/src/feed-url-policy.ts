import { lookup as dnsLookup } from 'node:dns/promises';
import { canonicalIpAddress, isForbiddenAddress } from './address-policy';

export interface FeedUrlPolicyOptions {
  allowPrivateNetworks: boolean;
  /** Resolves a host name to its addresses (default: the system resolver). */
  lookup?: (hostname: string) => Promise<{ address: string }[]>;
  /** Bound on the lookup; a name that does not resolve in time is left to the fetch guard. */
  lookupTimeoutMs?: number;
}

const systemLookup = (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Why a feed URL may not be registered, or null. The fetcher's guard refuses forbidden addresses at
 * connect time whatever is registered (DNS answers change); this refuses them at the door with a
 * clear error: an address literal in any spelling (decimal, octal, hex, IPv4-mapped IPv6) and a name
 * that resolves to one now. A name that does not resolve is accepted (the host may be down today).
 */
export async function feedUrlRefusal(url: string, options: FeedUrlPolicyOptions): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL';
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (options.allowPrivateNetworks) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const literal = canonicalIpAddress(host);
  if (literal !== null)
    return isForbiddenAddress(literal)
      ? `points at ${literal}, a loopback, private, link-local or otherwise non-public address (FETCH_ALLOW_PRIVATE_NETWORKS is off)`
      : null;
  let answers: { address: string }[];
  let timer: NodeJS.Timeout | undefined;
  try {
    answers = await Promise.race([
      (options.lookup ?? systemLookup)(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), options.lookupTimeoutMs ?? 3000);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
  const forbidden = answers.map((a) => a.address).filter((address) => isForbiddenAddress(address));
  return forbidden.length
    ? `names ${host}, which resolves to ${forbidden.join(', ')}, a loopback, private, link-local or otherwise non-public address (FETCH_ALLOW_PRIVATE_NETWORKS is off)`
    : null;
}
