// The short soak: a minute of load with every kind of fault against the apps as separate processes,
// each on its own Postgres cluster, redis-server, SMTP server and feed server (test/soak/soak.ts).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { finished, runTs } from '../support/processes';

/** The soak command from sources, to its end. */
const runSoak = (args: string[]) => finished(runTs('test/soak/run.ts', args, {}));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('soak', () => {
  it('loses nothing, ingests nothing twice and mails alerts through worker kills and Redis, Postgres, SMTP and feed faults', async () => {
    const { code, stdout, stderr } = await runSoak(['--minutes', '1', '--seed', '20261202', '--feeds', '24']);
    const lines = stdout.trim().split('\n');
    let result: Record<string, unknown> & { faults: Record<string, number> };
    try {
      result = JSON.parse(lines[lines.length - 1]) as typeof result;
    } catch {
      throw new Error(`no JSON line from the soak (exit ${code}):\n${stderr.slice(-6000)}`);
    }
    const context = `${JSON.stringify(result)}\n${stderr.slice(-6000)}`;

    expect({ code, context }).toEqual({ code: 0, context });
    expect(result.bench).toBe('soak');
    expect(result.verify).toBe('ok');
    expect(result.itemsPublished).toBeGreaterThan(50);
    expect(result.itemsIngested).toBe(result.itemsPublished);
    expect(result.lost).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.drained).toBe(true);
    expect(result.crashes).toBe(0);
    expect(result.alertsRaised).toBeGreaterThan(0);
    expect(result.mailsDelivered).toBeGreaterThan(0);
    expect(Object.keys(result.faults).sort()).toEqual([
      'feedFaults',
      'postgresRestarts',
      'redisRestarts',
      'smtpOutages',
      'workerKills',
    ]);
    for (const count of Object.values(result.faults)) expect(count).toBeGreaterThanOrEqual(1);

    // Everything it started is gone: its Postgres, Redis, SMTP and feed ports are closed.
    const ports = /postgres :(\d+), redis :(\d+), smtp :(\d+), feeds :(\d+)/.exec(stderr);
    expect(ports).not.toBeNull();
    for (const port of ports!.slice(1).map(Number))
      expect({ port, open: await listening(port) }).toEqual({ port, open: false });
    const dirs = [...stderr.matchAll(/temp dir (\S+)/g)].map((m) => m[1]);
    expect(dirs.length).toBeGreaterThanOrEqual(2);
    for (const dir of dirs) expect({ dir, exists: existsSync(dir) }).toEqual({ dir, exists: false });
  }, 600000);

  it('refuses a bad duration with its usage and starts nothing', async () => {
    const { code, stdout, stderr } = await runSoak(['--minutes', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run soak -- --minutes N');
    expect(stdout).toBe('');
  });
});
