import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestDatabase,
  testQueuePrefix,
  TEST_REDIS_URL,
  type TestDatabase,
} from '@frictionwatch/testing';
import { migrations } from '../../migrations';
import { existsInStage, rehearseDockerfile, type RehearsedStage } from '../support/dockerfile-rehearsal';
import { freePort } from '../support/free-port';
import { ROOT, waitForOutput, type Finished } from '../support/processes';

type Child = ReturnType<typeof spawn> & { output: { stdout: string; stderr: string } };

/**
 * The Dockerfile, rehearsed on this host (no Docker engine here): its stages run in a temporary
 * directory (`npm ci --omit=dev` of a copy of the lockfile, with its postinstall), the final stage gets
 * exactly what its COPY lines and .dockerignore give it, and the roles start through its ENTRYPOINT, as
 * an unprivileged user when the tests run as root, with its ENV. Not verified here: the base image
 * itself, the HEALTHCHECK's scheduling, and that `docker build` accepts the file.
 */
describe('the container image (Dockerfile rehearsed on the host)', () => {
  let rehearsal: Awaited<ReturnType<typeof rehearseDockerfile>>;
  let runtime: RehearsedStage;
  const queue = testQueuePrefix();
  const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  /** `docker run <image> <args>`: the ENTRYPOINT with the stage's ENV, from its WORKDIR. */
  function start(command: string[], env: Record<string, string>): Child {
    const [program, ...entryArgs] = [...runtime.entrypoint!, ...command];
    expect(program).toBe('node');
    const child = spawn(process.execPath, entryArgs, {
      cwd: runtime.workdir,
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...runtime.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...unprivileged,
    }) as Child;
    child.output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (c: Buffer) => (child.output.stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (child.output.stderr += c.toString()));
    return child;
  }

  function exited(child: Child): Promise<Finished> {
    return new Promise((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, ...child.output })),
    );
  }

  /** The HEALTHCHECK's command in the container's environment: its exit code. */
  function healthcheck(env: Record<string, string>): Promise<number | null> {
    const [program, ...args] = runtime.healthcheck!;
    expect(program).toBe('node');
    return new Promise((resolve) =>
      spawn(process.execPath, args, {
        cwd: runtime.workdir,
        env: { ...runtime.env, ...env },
        stdio: 'ignore',
      }).on('close', (code) => resolve(code)),
    );
  }

  const settings = (database: TestDatabase, port: number) => ({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queue.prefix,
    ALERTS_TOKEN_SECRET: 'a-secret-for-the-image-test',
    PORT: String(port),
    HOST: '127.0.0.1',
  });

  beforeAll(async () => {
    rehearsal = await rehearseDockerfile(ROOT);
    runtime = rehearsal.stages.at(-1)!;
  }, 900_000);

  // Removing a node_modules tree takes a while on a busy machine.
  afterAll(async () => {
    await rehearsal?.cleanup();
    await queue.cleanup();
  }, 300_000);

  it('is two stages on a Node 20 slim image; the final one runs node directly as a non-root user', () => {
    expect(rehearsal.stages.map((s) => s.name)).toEqual(['deps', 'runtime']);
    for (const stage of rehearsal.stages) expect(stage.from).toMatch(/^node:20-(bookworm-)?slim$/);
    expect(process.versions.node.split('.')[0]).toBe('20');
    expect(runtime.user).toBe('node');
    expect(runtime.entrypoint).toEqual(['node', 'tools/run-role.js']);
    expect(runtime.cmd).toEqual(['api']);
    expect(runtime.healthcheck).toEqual(['node', 'tools/healthcheck.js']);
    expect(runtime.env).toMatchObject({ NODE_ENV: 'production', PORT: '3000' });
  });

  it("enlarges node's young generation through its ENV (NODE_OPTIONS), within what node accepts there", () => {
    const heapLimit = (env: Record<string, string>) => {
      const run = spawnSync(
        process.execPath,
        ['-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'],
        { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
      );
      expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      return Number(run.stdout);
    };
    expect(runtime.env.NODE_OPTIONS).toBe('--max-semi-space-size=64');
    const without = heapLimit({});
    const withImageEnv = heapLimit(runtime.env);
    // V8 reserves three semi-spaces of young generation: at least 3 x (64 - 16) MB more than its
    // default (16 MB at most, less on a machine with little memory).
    expect(withImageEnv - without).toBeGreaterThanOrEqual(3 * 48 * 1024 * 1024);
  });

  it('holds production dependencies only, and no tests', () => {
    for (const kept of ['ts-node', '@swc/core', 'typescript', 'tsconfig-paths', '@nestjs/core', 'bullmq'])
      expect({ kept, present: existsInStage(runtime, `/app/node_modules/${kept}/package.json`) }).toEqual({
        kept,
        present: true,
      });
    for (const dropped of ['jest', 'eslint', 'smtp-server', 'mailparser', '@nestjs/testing', 'autocannon'])
      expect({ dropped, present: existsInStage(runtime, `/app/node_modules/${dropped}`) }).toEqual({
        dropped,
        present: false,
      });
    expect(existsInStage(runtime, '/app/test')).toBe(false);
    expect(existsInStage(runtime, '/app/libs/testing')).toBe(false);
    expect(existsInStage(runtime, '/app/libs/config/src/load-config.unit.spec.ts')).toBe(false);
    expect(existsInStage(runtime, '/app/seeds/demo/feeds/wto-news.atom.xml')).toBe(true);
    // No install script ran: the native swc binding is there as its optional package.
    const swc = readdirSync(join(runtime.workdir, 'node_modules', '@swc'));
    expect(swc).toContain(
      `core-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`,
    );
  });

  it('every role answers --help; an unknown role or stray argument is a usage error', async () => {
    for (const role of ['api', 'worker', 'scheduler', 'all']) {
      const result = await exited(start([role, '--help'], {}));
      expect({ role, code: result.code, out: result.stdout.split(':')[0] }).toEqual({
        role,
        code: 0,
        out: role,
      });
    }
    const cli = await exited(start(['cli', '--help'], {}));
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/migrate[\s\S]*projections[\s\S]*feeds/);
    const migrate = await exited(start(['migrate', '--help'], {}));
    expect(migrate.stdout).toContain('--seed');
    const unknown = await exited(start(['web'], {}));
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown role "web"');
    const stray = await exited(start(['worker', '--fast'], {}));
    expect(stray.code).toBe(64);
  });

  it('refuses to start in production with the development token secret', async () => {
    const database = await createTestDatabase();
    try {
      const result = await exited(
        start(['migrate'], { ...settings(database, 3000), ALERTS_TOKEN_SECRET: '' }),
      );
      expect(result.code).toBe(78);
      expect(result.stderr).toContain('ALERTS_TOKEN_SECRET');
    } finally {
      await database.drop();
    }
  });

  it('migrate --seed seeds nothing with SEED_ON_START=false', async () => {
    const database = await createTestDatabase();
    try {
      const result = await exited(
        start(['migrate', '--seed'], { ...settings(database, 3000), SEED_ON_START: 'false' }),
      );
      expect({ code: result.code, stdout: result.stdout }).toEqual({
        code: 0,
        stdout: 'Database is up to date\n',
      });
      const { rows } = await database.pool.query(
        "SELECT count(*)::int AS n FROM events WHERE event_type = 'FeedRegistered'",
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await database.drop();
    }
  });

  describe('against a database', () => {
    let database: TestDatabase;
    beforeAll(async () => (database = await createTestDatabase({ migrated: false })));
    afterAll(() => database.drop());

    it('migrate --seed migrates and registers the default sources, and is a no-op the second time', async () => {
      const env = settings(database, 3000);
      const first = await exited(start(['migrate', '--seed'], env));
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`Applied migrations: ${Object.keys(migrations).join(', ')}`);
      expect(first.stdout).toMatch(/Registered \d+ default sources/);
      const second = await exited(start(['migrate', '--seed'], env));
      expect({ code: second.code, stdout: second.stdout }).toEqual({
        code: 0,
        stdout: 'Database is up to date\n',
      });
    });

    it('api serves, the HEALTHCHECK passes, and SIGTERM stops it with exit 0', async () => {
      const port = await freePort();
      const env = settings(database, port);
      const api = start(['api'], env);
      const done = exited(api);
      try {
        await waitForOutput(api, `listening on http://127.0.0.1:${port}`, 90_000);
        expect(await healthcheck(env)).toBe(0);
      } finally {
        api.kill('SIGTERM');
      }
      expect((await done).code).toBe(0);
      expect(await healthcheck(env)).toBe(1);
    });

    for (const role of ['worker', 'scheduler'])
      it(`${role} starts, the HEALTHCHECK passes, and SIGTERM stops it with exit 0`, async () => {
        const env = settings(database, await freePort());
        const child = start([role], env);
        const done = exited(child);
        try {
          await waitForOutput(child, `${role} running`, 90_000);
          expect(await healthcheck(env)).toBe(0);
        } finally {
          child.kill('SIGTERM');
        }
        expect((await done).code).toBe(0);
        expect(await healthcheck(env)).toBe(1);
      });
  });
});
