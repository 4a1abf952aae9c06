import { readFileSync } from 'node:fs';

/**
 * The whole machine's CPU in a window, from /proc/stat (Linux only): how busy it was, and how much the
 * hypervisor took (steal). On a shared host, a run with more steal had less machine to measure with.
 */
export class HostCpu {
  private readonly start = HostCpu.read();

  private static read(): { busy: number; steal: number; total: number } | null {
    try {
      const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
      // cpu  user nice system idle iowait irq softirq steal guest guest_nice
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .map(Number);
      const busy = user + nice + system + irq + softirq;
      return { busy, steal, total: busy + idle + iowait + steal };
    } catch {
      return null;
    }
  }

  /** Percentages of the machine's CPU time since construction: busy (this host) and stolen. */
  percentages(): { busyPercent: number; stealPercent: number } | null {
    const end = HostCpu.read();
    if (!this.start || !end || end.total === this.start.total) return null;
    const total = end.total - this.start.total;
    const round = (n: number) => Math.round((n / total) * 1000) / 10;
    return {
      busyPercent: round(end.busy - this.start.busy),
      stealPercent: round(end.steal - this.start.steal),
    };
  }
}
