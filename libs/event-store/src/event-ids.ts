import { hash, randomUUID } from 'node:crypto';

// The namespace of frictionwatch's name-based event ids (UUIDv5, RFC 9562); fixed forever.
const EVENT_ID_NAMESPACE = '5b0f3c2e-2f5e-4a8b-9d61-0c3b7a6f1e42';
const NAMESPACE_BYTES = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * A deterministic event id for an event with a natural key, e.g. `ItemIngested:<feed>:<guid>`: the
 * UUIDv5 of the key in our namespace. Computed with one-shot `crypto.hash` (every appended item and
 * classification needs one; the general-purpose uuid package cost several times as much per id).
 */
export function deterministicEventId(naturalKey: string): string {
  const digest = hash('sha1', Buffer.concat([NAMESPACE_BYTES, Buffer.from(naturalKey, 'utf8')]), 'hex');
  const version = (5).toString(16) + digest.slice(13, 16);
  const variant = ((parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + digest.slice(18, 20);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${version}-${variant}-${digest.slice(20, 32)}`;
}

export function randomEventId(): string {
  return randomUUID();
}
