import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, loadConfig } from '@frictionwatch/config';
import { durationMs, loadComposeFile, type ComposeModel } from '../support/compose-file';

const ROOT = join(__dirname, '..', '..');
const FILE = join(ROOT, 'docker-compose.yml');
const APP_SERVICES = ['migrate', 'api', 'worker', 'scheduler', 'demo'];
const ROLE_SERVICES = ['api', 'worker', 'scheduler'];
/** Variables the compose file reads that are not app settings; its header comment names them. */
const COMPOSE_ONLY = [
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
  'POSTGRES_DB',
  'POSTGRES_PORT',
  'API_PORT',
  'DEMO_PORT',
  'MAILPIT_UI_PORT',
  'SMTP_RELAY_URL',
  'FRICTIONWATCH_IMAGE',
];

/**
 * docker-compose.yml, read as Compose reads it (YAML merge keys, ${VAR:-default} from .env) without
 * Docker, so this runs everywhere; `.ci/run` also has Compose itself validate the file.
 */
describe('docker-compose.yml', () => {
  const load = (env: Record<string, string> = {}): ComposeModel => loadComposeFile(FILE, env).model;
  const { model, variables } = loadComposeFile(FILE, {});
  const services = model.services;

  it('has the infrastructure, a one-shot migrate, the three roles, and the demo in its profile', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'mailpit', ...APP_SERVICES].sort());
    expect(services.mailpit.image).toMatch(/^axllent\/mailpit/);
    expect(services.demo.profiles).toEqual(['demo']);
    for (const name of Object.keys(services).filter((n) => n !== 'demo'))
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: undefined });
    expect(services.migrate.command).toEqual(['migrate', '--seed']);
    expect(services.migrate.restart).toBe('no');
    for (const role of ROLE_SERVICES) expect(services[role].command).toEqual([role]);
    expect(services.demo.command).toEqual(['all']);
  });

  it('starts each service after what it needs, with the right conditions', () => {
    const dependencies = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, c]) => [d, c.condition])),
      ]),
    );
    const infrastructure = { postgres: 'service_healthy', redis: 'service_healthy' };
    const afterMigrate = { ...infrastructure, migrate: 'service_completed_successfully' };
    expect(dependencies).toEqual({
      postgres: {},
      redis: {},
      mailpit: {},
      migrate: infrastructure,
      api: afterMigrate,
      worker: { ...afterMigrate, mailpit: 'service_healthy' },
      scheduler: afterMigrate,
      // The demo migrates and seeds its own database on start.
      demo: { ...infrastructure, mailpit: 'service_healthy' },
    });
  });

  it('runs every app service from the one image, under an init, stopped after the longest job', () => {
    const longestJob = loadConfig({}).WORKER_SHUTDOWN_TIMEOUT_MS;
    for (const name of APP_SERVICES) {
      const service = services[name];
      expect({ name, image: service.image, target: service.build?.target, init: service.init }).toEqual({
        name,
        image: 'frictionwatch:latest',
        target: 'runtime',
        init: true,
      });
      expect(durationMs(service.stop_grace_period ?? '10s')).toBeGreaterThan(longestJob);
    }
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^FROM \S+ AS runtime$/m);
  });

  it('lets workers scale: no container name anywhere, no host port on a worker', () => {
    for (const [name, service] of Object.entries(services))
      expect({ name, container_name: service.container_name }).toEqual({ name, container_name: undefined });
    expect(services.worker.ports).toBeUndefined();
  });

  it('health-checks the infrastructure and every role; Redis keeps BullMQ jobs', () => {
    for (const name of ['postgres', 'redis', 'mailpit', ...ROLE_SERVICES, 'demo'])
      expect({ name, test: services[name].healthcheck?.test?.[0] }).toEqual({
        name,
        test: expect.any(String),
      });
    for (const name of [...ROLE_SERVICES, 'demo']) {
      expect(services[name].healthcheck?.test).toEqual(['CMD', 'node', 'tools/healthcheck.js']);
    }
    expect(existsSync(join(ROOT, 'tools', 'healthcheck.js'))).toBe(true);
    expect(services.migrate.healthcheck).toEqual({ disable: true });
    expect(services.redis.command).toEqual(
      expect.arrayContaining(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']),
    );
    expect(services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
  });

  it("keeps Postgres backends' freed memory for the next large append (glibc malloc settings)", () => {
    expect(services.postgres.environment).toMatchObject({
      MALLOC_TRIM_THRESHOLD_: '33554432',
      MALLOC_MMAP_THRESHOLD_: '8388608',
      MALLOC_TOP_PAD_: '4194304',
    });
  });

  it('gives the roles settings the app accepts, and refuses to run production without a token secret', () => {
    for (const name of ['migrate', ...ROLE_SERVICES]) {
      const env = load({ ALERTS_TOKEN_SECRET: 'a-long-random-value-0123' }).services[name].environment!;
      const config = loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://frictionwatch:frictionwatch@postgres:5432/frictionwatch',
        REDIS_URL: 'redis://redis:6379',
        SMTP_URL: 'smtp://mailpit:1025?ignoreTLS=true',
        DEMO: false,
      });
      const unset = services[name].environment!;
      expect(() =>
        loadConfig(Object.fromEntries(Object.entries(unset).map(([k, v]) => [k, String(v)]))),
      ).toThrow(/ALERTS_TOKEN_SECRET=\S+ must be set in production/);
    }
  });

  it('takes settings from .env: the app names, and the compose-only ones', () => {
    const env = load({
      WORKER_FETCH_CONCURRENCY: '8',
      SMTP_RELAY_URL: 'smtps://user:secret@mail.example.org',
      POSTGRES_PASSWORD: 'pw',
      API_PORT: '8080',
    }).services;
    expect(env.worker.environment).toMatchObject({
      WORKER_FETCH_CONCURRENCY: '8',
      SMTP_URL: 'smtps://user:secret@mail.example.org',
      DATABASE_URL: 'postgres://frictionwatch:pw@postgres:5432/frictionwatch',
    });
    expect(env.api.ports).toEqual(['8080:3000']);
    const settings = Object.keys(configSchema.shape);
    const unknown = [...variables].filter((v) => !settings.includes(v) && !COMPOSE_ONLY.includes(v));
    expect(unknown).toEqual([]);
    const header = readFileSync(FILE, 'utf8').split('\nservices:')[0];
    for (const name of COMPOSE_ONLY.filter((v) => !v.startsWith('POSTGRES_')))
      expect({ name, documented: header.includes(name) }).toEqual({ name, documented: true });
  });

  it('runs the demo on its own database and queue prefix, with reads open and mail to Mailpit', () => {
    const env = Object.fromEntries(
      Object.entries(services.demo.environment!).map(([k, v]) => [k, String(v)]),
    );
    expect(loadConfig(env)).toMatchObject({
      DEMO: true,
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://frictionwatch:frictionwatch@postgres:5432/frictionwatch_demo',
      QUEUE_PREFIX: 'demo',
      API_PUBLIC_READ: true,
      SMTP_URL: 'smtp://mailpit:1025?ignoreTLS=true',
    });
    expect(services.demo.ports).toEqual(['3001:3000']);
    // A relay set for production does not make the demo mail real people.
    expect(load({ SMTP_RELAY_URL: 'smtps://mail.example.org' }).services.demo.environment?.SMTP_URL).toBe(
      'smtp://mailpit:1025?ignoreTLS=true',
    );
  });

  it('interpolates as Compose does ($$ is a literal $); a bad duration is an error', () => {
    expect(services.postgres.healthcheck?.test).toEqual([
      'CMD-SHELL',
      'pg_isready -U ${POSTGRES_USER} -d ${POSTGRES_DB}',
    ]);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(() => durationMs('forty')).toThrow(/not a Compose duration/);
  });
});
