// A dashboard polling the api through the faults, as dashboards do: revalidating with If-None-Match.
// It counts answers by kind; a 503 while Redis or Postgres is down is expected, the api staying down
// after they are back is not (the drain waits for readiness).

export interface PollCounts {
  requests: number;
  ok: number;
  notModified: number;
  unavailable: number;
  /** Any other status, or no answer at all (connection refused, reset). */
  failed: number;
  /** The failed ones by status or error code. */
  failures: Record<string, number>;
}

export class DashboardPoller {
  readonly counts: PollCounts = {
    requests: 0,
    ok: 0,
    notModified: 0,
    unavailable: 0,
    failed: 0,
    failures: {},
  };
  private readonly etags = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;

  constructor(
    private readonly base: string,
    private readonly key: string,
    private readonly paths = ['/v1/items?limit=20', '/v1/feeds', '/v1/activity?interval=week'],
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.pollOnce(), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private fail(kind: string): void {
    this.counts.failed += 1;
    this.counts.failures[kind] = (this.counts.failures[kind] ?? 0) + 1;
  }

  private async pollOnce(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      for (const path of this.paths) {
        this.counts.requests += 1;
        const etag = this.etags.get(path);
        try {
          const response = await fetch(`${this.base}${path}`, {
            headers: { authorization: `Bearer ${this.key}`, ...(etag ? { 'if-none-match': etag } : {}) },
            signal: AbortSignal.timeout(10000),
          });
          await response.arrayBuffer();
          if (response.status === 200) {
            this.counts.ok += 1;
            const next = response.headers.get('etag');
            if (next) this.etags.set(path, next);
          } else if (response.status === 304) this.counts.notModified += 1;
          else if (response.status === 503) this.counts.unavailable += 1;
          else this.fail(`${response.status} ${path.split('?')[0]}`);
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          this.fail(cause?.code ?? (error as Error).name);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}

/** GET <base>/health/ready: 200, another answer, or nothing listening (a role that serves no HTTP). */
export async function readiness(base: string): Promise<'ready' | 'not-ready' | 'not-serving'> {
  try {
    const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status === 200 ? 'ready' : 'not-ready';
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'not-serving' : 'not-ready';
  }
}
