// The soak's own PostgreSQL cluster and redis-server: private temp dirs, free loopback ports, started,
// restarted and stopped only through the handles here (a fault never touches anything else).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port';

const exec = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/<n>/bin. */
async function postgresBin(name: string): Promise<string> {
  try {
    const { stdout } = await exec('sh', ['-c', `command -v ${name}`]);
    if (stdout.trim()) return stdout.trim();
  } catch {
    // not on PATH
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`${name} not found on PATH or under ${root}/*/bin`);
  return join(root, versions[0], 'bin', name);
}

/**
 * initdb and postgres refuse to run as root: as root (CI) they run as the `postgres` user through
 * runuser, in a temp dir that user owns; otherwise as the current user.
 */
async function asClusterOwner(): Promise<{
  wrap: (cmd: string[]) => string[];
  uid: number | null;
  gid: number | null;
}> {
  if (process.getuid?.() !== 0) return { wrap: (cmd) => cmd, uid: null, gid: null };
  const { stdout: uid } = await exec('id', ['-u', 'postgres']);
  const { stdout: gid } = await exec('id', ['-g', 'postgres']);
  return {
    wrap: (cmd) => ['runuser', '-u', 'postgres', '--', ...cmd],
    uid: Number(uid.trim()),
    gid: Number(gid.trim()),
  };
}

async function run(cmd: string[]): Promise<string> {
  const { stdout, stderr } = await exec(cmd[0], cmd.slice(1), { maxBuffer: 16 * 1024 * 1024 });
  return stdout + stderr;
}

export class PostgresCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly pgCtl: string,
    private readonly wrap: (cmd: string[]) => string[],
  ) {}

  static readonly user = 'soak';

  /** initdb into a temp dir (trust auth on loopback, no fsync: a process crash loses nothing). */
  static async create(): Promise<PostgresCluster> {
    const [initdb, pgCtl, owner, port] = await Promise.all([
      postgresBin('initdb'),
      postgresBin('pg_ctl'),
      asClusterOwner(),
      freePort(),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'fw-soak-pg-'));
    if (owner.uid !== null && owner.gid !== null) chownSync(dir, owner.uid, owner.gid);
    const cluster = new PostgresCluster(dir, port, pgCtl, owner.wrap);
    try {
      await run(
        owner.wrap([
          initdb,
          '-D',
          join(dir, 'data'),
          '-U',
          PostgresCluster.user,
          '--auth=trust',
          '-E',
          'UTF8',
          '--no-sync',
        ]),
      );
      appendFileSync(
        join(dir, 'data', 'postgresql.conf'),
        [
          `port = ${port}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${dir}'`,
          'fsync = off',
          'full_page_writes = off',
          'max_connections = 200',
          'shared_buffers = 64MB',
          '',
        ].join('\n'),
      );
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  url(database: string): string {
    return `postgres://${PostgresCluster.user}@127.0.0.1:${this.port}/${database}`;
  }

  private ctl(args: string[]): Promise<string> {
    return run(
      this.wrap([this.pgCtl, '-D', join(this.dir, 'data'), '-l', join(this.dir, 'postgres.log'), ...args]),
    );
  }

  start(): Promise<string> {
    return this.ctl(['-w', '-t', '60', 'start']);
  }

  /** `fast` disconnects clients and checkpoints; `immediate` is a crash (recovery replays the WAL). */
  restart(mode: 'fast' | 'immediate'): Promise<string> {
    return this.ctl(['-w', '-t', '60', '-m', mode, 'restart']);
  }

  async stop(): Promise<void> {
    if (!existsSync(join(this.dir, 'data', 'postmaster.pid'))) return;
    await this.ctl(['-w', '-t', '30', '-m', 'immediate', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For a process about to exit at once (a second Ctrl-C): stop the cluster and remove its dir. */
  destroySync(): void {
    if (existsSync(join(this.dir, 'data', 'postmaster.pid'))) {
      const cmd = this.wrap([
        this.pgCtl,
        '-D',
        join(this.dir, 'data'),
        '-w',
        '-t',
        '20',
        '-m',
        'immediate',
        'stop',
      ]);
      try {
        execFileSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
      } catch {
        // already stopping
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** PING over a raw socket (no redis-cli needed). */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

export class RedisServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** appendonly with fsync every second: a restart (even kill -9) keeps every acknowledged write. */
  static async create(): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'fw-soak-redis-'));
    const server = new RedisServer(dir, await freePort());
    writeFileSync(
      join(dir, 'redis.conf'),
      [
        `port ${server.port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'save ""',
        'appendonly yes',
        'appendfsync everysec',
        'daemonize no',
        `logfile ${join(dir, 'redis.log')}`,
        '',
      ].join('\n'),
    );
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', [join(this.dir, 'redis.conf')], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      if (await redisAnswers(this.port)) return;
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 20 s');
      await sleep(100);
    }
  }

  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); waits until the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For a process about to exit at once: kill the server and remove its dir. */
  destroySync(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
