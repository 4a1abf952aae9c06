import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client, type Pool } from 'pg';

/** The channel that tells followers "new events may be readable". A hint only: they also poll. */
export const EVENTS_CHANNEL = 'fw_events';

/**
 * Wakes followers of the log. Appends in this process wake local followers at once; a NOTIFY, sent
 * after commit and coalesced (at most one per interval), wakes other processes. NOTIFY is kept out of
 * the append transaction on purpose: it serialises committing transactions on a global lock.
 */
export class EventNotifier {
  private readonly emitter = new EventEmitter();
  private listener: Client | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Sent as the payload, so this process ignores its own hints (its followers were woken already). */
  private readonly origin = randomUUID();

  constructor(
    private readonly pool: Pool,
    private readonly databaseUrl: string,
    private readonly coalesceMs = 5,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Call after an append committed. */
  appended(): void {
    this.emitter.emit('wake');
    if (this.closed || this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      if (this.closed) return;
      this.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, this.origin]).catch(() => undefined);
    }, this.coalesceMs);
    this.notifyTimer.unref();
  }

  /** Subscribes to wake-ups; returns the unsubscribe function. Starts listening on first use. */
  onWake(callback: () => void): () => void {
    this.emitter.on('wake', callback);
    void this.listen();
    return () => this.emitter.off('wake', callback);
  }

  private async listen(): Promise<void> {
    if (this.listener || this.closed) return;
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: 'frictionwatch-listener',
    });
    this.listener = client;
    client.on('notification', (message) => {
      if (message.payload !== this.origin) this.emitter.emit('wake');
    });
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch {
      this.reconnectLater(client);
    }
  }

  private reconnectLater(client: Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    // Followers keep polling meanwhile; the hint comes back when the database does.
    setTimeout(() => void this.listen(), 1000).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.emitter.removeAllListeners();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }
}
