import { createHash } from 'node:crypto';

/**
 * An item's id across all feeds: its canonical URL when it has one (the same article in two feeds is
 * one item, and a guid that changes while the link stays does not make a new item), else the feed's
 * own key for it.
 */
export function itemIdFor(feedId: string, item: { url: string | null; key: string }): string {
  const identity = item.url ? `url:${item.url}` : `feed:${feedId}:${item.key}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

export function itemStreamId(itemId: string): string {
  return `item-${itemId}`;
}

export function itemIdOfStream(streamId: string): string {
  return streamId.slice('item-'.length);
}

/** Same normalised title on the same day: how items from different sources are linked as duplicates. */
export function titleDayKey(title: string, publishedAt: string): string {
  const normalised = title
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${publishedAt.slice(0, 10)}|${normalised}`;
}
