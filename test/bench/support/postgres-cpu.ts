import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * CPU time spent by the Postgres backends serving one database, read from /proc (Linux only): on a
 * shared machine, CPU seconds per item are steadier than items/s. Backends are sampled as they come;
 * one that exits keeps its last reading.
 */
export class PostgresCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly ticksPerSecond = 100; // USER_HZ on Linux
  private since: Date | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly database: string,
  ) {}

  available(): boolean {
    return process.platform === 'linux';
  }

  /** Starts the window: backends running now count from here, later ones from their start. */
  async start(): Promise<void> {
    this.since = new Date();
    await this.sample();
  }

  async sample(): Promise<void> {
    if (!this.available() || !this.since) return;
    const { rows } = await this.pool.query<{ pid: number; backend_start: Date }>(
      'SELECT pid, backend_start FROM pg_stat_activity WHERE datname = $1',
      [this.database],
    );
    for (const { pid, backend_start: started } of rows) {
      const ticks = cpuTicks(pid);
      if (ticks === null) continue;
      if (!this.first.has(pid)) this.first.set(pid, started > this.since ? 0 : ticks);
      this.last.set(pid, ticks);
    }
  }

  /** Seconds used in the window by the backends sampled. */
  seconds(): number | null {
    if (!this.available()) return null;
    let ticks = 0;
    for (const [pid, end] of this.last) ticks += end - (this.first.get(pid) ?? end);
    return ticks / this.ticksPerSecond;
  }
}

function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
