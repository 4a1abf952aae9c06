import { createHash } from 'node:crypto';
import { canonicalUrl } from './canonical-url';
import { htmlToText } from './plain-text';
import { parsePublishedDate } from './published-date';
import type { NormalisedItem, RawItem } from './feed-parsing.types';

/** Above this share of items with an empty or repeated guid, no guid of the batch is trusted. */
const UNTRUSTED_GUID_SHARE = 0.2;
const MAX_SUMMARY = 10_000;
const MAX_TITLE = 1_000;

function counts(values: (string | null)[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) if (v) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}

export function contentHashOf(title: string, summary: string, url: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([title, summary, url ?? '']))
    .digest('hex');
}

/**
 * Raw items to normalised ones. Keys: a trustworthy guid, else the canonical URL, else the content hash.
 * A guid is not trusted when it is empty or repeated within the batch; when more than 20% of the batch
 * has such guids, no guid of the batch is (the source's guids are junk this time). A URL shared by
 * several different items (all linking to one listing page) is not trusted either. Items whose key was
 * already produced in the batch are dropped (exact repeats). Detecting a feed that re-keys all its guids
 * between fetches is the caller's job: it gets `keySource`, `guid` and `url` separately.
 */
export function normaliseItems(
  items: RawItem[],
  context: { pageUrl: string; firstSeenAt: Date },
): NormalisedItem[] {
  const firstSeen = context.firstSeenAt.toISOString();
  const prepared = items.map((raw) => {
    const guid = typeof raw.guid === 'string' && raw.guid.trim() ? raw.guid.trim() : null;
    const url = raw.link ? canonicalUrl(raw.link, context.pageUrl) : null;
    const title = htmlToText(raw.title, MAX_TITLE);
    const summary = htmlToText(raw.summary, MAX_SUMMARY);
    const date = raw.published ? parsePublishedDate(raw.published) : null;
    const categories = [...new Set((raw.categories ?? []).map((c) => htmlToText(c, 200)).filter(Boolean))];
    return { raw, guid, url, title, summary, date, categories, hash: contentHashOf(title, summary, url) };
  });

  const guidCounts = counts(prepared.map((p) => p.guid));
  const badGuids = prepared.filter((p) => !p.guid || (guidCounts.get(p.guid) ?? 0) > 1).length;
  const guidsTrusted = prepared.length > 0 && badGuids / prepared.length <= UNTRUSTED_GUID_SHARE;
  // a URL is a key only when it points at one item's content
  const urlHashes = new Map<string, Set<string>>();
  for (const p of prepared) {
    if (p.url) urlHashes.set(p.url, (urlHashes.get(p.url) ?? new Set()).add(p.hash));
  }

  const seen = new Set<string>();
  const out: NormalisedItem[] = [];
  for (const p of prepared) {
    let keySource: NormalisedItem['keySource'];
    let key: string;
    if (guidsTrusted && p.guid && guidCounts.get(p.guid) === 1) {
      keySource = 'guid';
      key = `guid:${p.guid}`;
    } else if (p.url && (urlHashes.get(p.url)?.size ?? 0) === 1) {
      keySource = 'url';
      key = `url:${p.url}`;
    } else {
      keySource = 'hash';
      key = `hash:${p.hash}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      key,
      keySource,
      guid: p.guid,
      url: p.url,
      title: p.title,
      summary: p.summary,
      publishedAt: p.date ? p.date.toISOString() : firstSeen,
      dateSource: p.date ? 'feed' : 'first_seen',
      categories: p.categories,
      extra: p.raw.extra ?? {},
      contentHash: p.hash,
    });
  }
  return out;
}
