import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';

// The namespace of frictionwatch's name-based event ids (UUIDv5); fixed forever.
const EVENT_ID_NAMESPACE = '5b0f3c2e-2f5e-4a8b-9d61-0c3b7a6f1e42';

/** A deterministic event id for an event with a natural key, e.g. `ItemIngested:<feed>:<guid>`. */
export function deterministicEventId(naturalKey: string): string {
  return uuidv5(naturalKey, EVENT_ID_NAMESPACE);
}

export function randomEventId(): string {
  return uuidv4();
}
