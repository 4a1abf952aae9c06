// The apps as separate processes from sources (as `npm run start:*` runs them), each with its own
// PORT and a log file; a worker can be killed with SIGKILL and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { finished, runTs, type Finished } from '../support/processes';
import { sleep } from './local-services';

export const ROOT = join(__dirname, '..', '..');

export type AppRole = 'api' | 'worker' | 'scheduler';

const ENTRY: Record<AppRole, string> = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  scheduler: 'apps/scheduler/src/main.ts',
};

export class AppProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  private output = '';
  /** Exits nobody asked for (a crash): the soak reports them. */
  unexpectedExits: string[] = [];
  private stopping = false;
  /** Exited on its own since the last start (the supervisor restarts it). */
  crashed = false;

  constructor(
    readonly name: string,
    readonly role: AppRole,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  static async create(
    name: string,
    role: AppRole,
    env: NodeJS.ProcessEnv,
    logDir: string,
  ): Promise<AppProcess> {
    return new AppProcess(name, role, await freePort(), env, logDir);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until it says it runs. */
  async start(timeoutMs = 90000): Promise<void> {
    this.stopping = false;
    this.output = '';
    this.crashed = false;
    // --trace-uncaught: a crash names where it was thrown, not only the socket error.
    const child = spawn(
      process.execPath,
      ['--trace-uncaught', '-r', join(ROOT, 'tools/register.js'), join(ROOT, ENTRY[this.role])],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.env, PORT: String(this.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const record = (chunk: Buffer) => {
      this.log.write(chunk);
      if (this.output.length < 200000) this.output += chunk.toString();
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    child.on('exit', (code, signal) => {
      const exit = `${new Date().toISOString()} ${this.name} exited code=${code} signal=${signal}`;
      this.log.write(`\n[soak] ${exit}\n`);
      if (!this.stopping && this.child === child) {
        this.unexpectedExits.push(exit);
        this.crashed = true;
      }
    });
    const deadline = Date.now() + timeoutMs;
    while (!/ running(;|\b)/.test(this.output)) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.name} exited while starting: ${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** kill -9: no shutdown hook runs, jobs in flight stay locked until WORKER_LOCK_MS passes. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.stopping = true;
    child.kill(signal);
    await gone;
  }

  /** For a process about to exit at once. */
  killSync(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}

/** Runs the CLI from sources to its end (a non-zero exit is the caller's to judge). */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return finished(runTs('apps/cli/src/main.ts', args, env));
}
