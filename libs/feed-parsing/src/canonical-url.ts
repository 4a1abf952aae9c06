// Canonical URLs: one spelling per document, so the same item keys the same way on every fetch.

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  'ref',
  'ref_src',
  'ref_url',
  '_hsenc',
  '_hsmi',
  '_ga',
  '_gl',
  'mkt_tok',
  'oly_enc_id',
  'oly_anon_id',
  'vero_id',
  'wt.mc_id',
  'cmpid',
  'at_medium',
  'at_campaign',
]);

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

/**
 * Resolves `url` against `base`, keeps only http(s), lower-cases scheme and host (WHATWG URL does),
 * drops default ports, credentials, the fragment and tracking parameters (utm_*, fbclid, gclid, mc_cid,
 * mc_eid, ref, …). Other parameters keep their order. Returns null when there is no usable URL.
 */
export function canonicalUrl(url: string, base?: string): string | null {
  if (typeof url !== 'string') return null;
  const text = url.trim();
  if (!text) return null;
  let parsed: URL;
  try {
    parsed = base ? new URL(text, base) : new URL(text);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTracking(name));
  if (kept.length !== [...parsed.searchParams].length) {
    parsed.search = kept.length ? new URLSearchParams(kept).toString() : '';
  }
  let result = parsed.toString();
  if (result.endsWith('?')) result = result.slice(0, -1);
  return result;
}
