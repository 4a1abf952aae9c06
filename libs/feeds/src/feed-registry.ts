import {
  deterministicEventId,
  WrongExpectedVersionError,
  type EventMetadataInput,
  type PostgresEventStore,
} from '@frictionwatch/event-store';
import { feedStreamId, FeedRegisteredSchema, type FeedRegistered, type FeedUpdated } from './feed.events';

export class FeedNotFoundError extends Error {
  override name = 'FeedNotFoundError';
}

/** Commands on the set of sources: every change is an event on the feed's stream. */
export class FeedRegistry {
  constructor(private readonly store: PostgresEventStore) {}

  /** Registers a feed once; registering the same id again is a no-op that reports `false`. */
  async register(spec: FeedRegistered, metadata: EventMetadataInput = {}): Promise<boolean> {
    const data = FeedRegisteredSchema.parse(spec);
    if ((await this.store.streamVersion(feedStreamId(data.feedId))) !== null) return false;
    try {
      await this.store.append(
        feedStreamId(data.feedId),
        [
          {
            type: 'FeedRegistered',
            data,
            eventId: deterministicEventId(`FeedRegistered:${data.feedId}`),
            metadata,
          },
        ],
        { expectedVersion: 'no_stream' },
      );
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  async update(feedId: string, changes: FeedUpdated['changes'], reason: string | null = null): Promise<void> {
    await this.requireStream(feedId);
    await this.store.append(feedStreamId(feedId), [
      { type: 'FeedUpdated', data: { feedId, changes, reason } },
    ]);
  }

  async pause(feedId: string, reason = 'paused by an operator'): Promise<void> {
    await this.requireStream(feedId);
    await this.store.append(feedStreamId(feedId), [{ type: 'FeedPaused', data: { feedId, reason } }]);
  }

  async resume(feedId: string): Promise<void> {
    await this.requireStream(feedId);
    await this.store.append(feedStreamId(feedId), [{ type: 'FeedResumed', data: { feedId } }]);
  }

  async remove(feedId: string): Promise<void> {
    await this.requireStream(feedId);
    await this.store.append(feedStreamId(feedId), [{ type: 'FeedRemoved', data: { feedId } }]);
  }

  private async requireStream(feedId: string): Promise<void> {
    if ((await this.store.streamVersion(feedStreamId(feedId))) === null) {
      throw new FeedNotFoundError(`No feed "${feedId}"`);
    }
  }
}
