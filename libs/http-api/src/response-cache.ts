/** Where a read model stands: a cached answer is valid exactly as long as this does not move. */
export interface ReadModelVersion {
  generation: number;
  position: string;
}

export interface ResponseCacheOptions {
  /** Bound on the bytes of all cached bodies. */
  maxBytes: number;
  /** Larger bodies are not kept (one answer must not evict everything else). */
  maxEntryBytes: number;
}

/** `generation:transaction:position`, compared as numbers (they are bigint in Postgres). */
function isOlder(at: string, than: string): boolean {
  const a = at.split(':').map(BigInt);
  const b = than.split(':').map(BigInt);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if ((a[i] ?? 0n) !== (b[i] ?? 0n)) return (a[i] ?? 0n) < (b[i] ?? 0n);
  }
  return false;
}

interface Entry {
  body: Buffer;
  bytes: number;
}

/**
 * Serialised answers (encoded once, sent as they are) of read endpoints keyed by (read model, its generation and checkpoint, normalised
 * query). A read model's tables only change when its checkpoint moves, so an entry never needs
 * invalidating: the first request that sees a new checkpoint misses, and entries of older checkpoints
 * of that read model are dropped then. Least recently used entries go first when over `maxBytes`.
 * Concurrent misses of one key share one load.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private readonly current = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly options: ResponseCacheOptions) {}

  /** The cached body, else the loaded one (cached when it fits). */
  async get(
    readModel: string,
    version: ReadModelVersion,
    query: string,
    load: () => Promise<Buffer>,
  ): Promise<Buffer> {
    const at = `${version.generation}:${version.position}`;
    const current = this.current.get(readModel);
    if (current !== at) {
      // A request that read the checkpoint just before it moved: answer it, keep nothing.
      if (current !== undefined && isOlder(at, current)) return load();
      this.moved(readModel, at);
    }
    const key = `${readModel}\u0000${at}\u0000${query}`;
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is recency order: move the entry to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loaded = load().then(
      (body) => {
        this.loading.delete(key);
        // Keep it only while it is still the newest state seen of the read model.
        if (this.current.get(readModel) === at) this.put(key, body);
        return body;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  /** Bytes of the cached bodies (for tests and metrics). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private put(key: string, body: Buffer): void {
    const bytes = body.length;
    if (bytes > this.options.maxEntryBytes || bytes > this.options.maxBytes) return;
    this.entries.set(key, { body, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  /** A read model moved (or a rebuild switched generations): its older answers can never be asked again. */
  private moved(readModel: string, at: string): void {
    this.current.set(readModel, at);
    const prefix = `${readModel}\u0000`;
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix) && !key.startsWith(`${prefix}${at}\u0000`)) {
        this.entries.delete(key);
        this.bytes -= entry.bytes;
      }
    }
  }
}
