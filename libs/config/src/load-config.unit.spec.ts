import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://root@127.0.0.1:5432/frictionwatch');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(3000);
  });

  it('coerces numbers and keeps given URLs', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgresql://u@db:5432/x' });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe('postgresql://u@db:5432/x');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it('names each bad variable and what is wrong, one line each', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://localhost' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const lines = (caught as ConfigError).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('PORT='))).toMatch(/PORT="eighty" .*number/);
    expect(lines.find((l) => l.includes('REDIS_URL='))).toMatch(/redis:\/\//);
  });

  it('never prints a password or a secret setting in its messages', () => {
    let caught: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'mysql://app:DbPa55@w0rd@db.internal:5432/fw',
        SMTP_URL: 'smtp://mailer:SmtpPa55w0rd@mail.internal:notaport',
        REDIS_URL: 'http://:RedisPa55w0rd@cache.internal',
        ALERTS_TOKEN_SECRET: 'sh0rtSecret',
        NODE_ENV: 'production',
      });
    } catch (error) {
      caught = error;
    }
    const message = (caught as ConfigError).message;
    expect(message).toContain('DATABASE_URL="mysql://app:***@db.internal:5432/fw"');
    expect(message).toContain('SMTP_URL="smtp://mailer:***@mail.internal:notaport"');
    expect(message).toContain('REDIS_URL="http://:***@cache.internal"');
    expect(message).toContain('ALERTS_TOKEN_SECRET="<hidden>" must be at least 16 characters');
    for (const secret of ['DbPa55', 'w0rd', 'SmtpPa55w0rd', 'RedisPa55w0rd', 'sh0rtSecret'])
      expect(message).not.toContain(secret);
  });

  it('keeps the projection tail on by default; 0 turns it off', () => {
    expect(loadConfig({}).PROJECTION_TAIL_EVENTS).toBe(20000);
    expect(loadConfig({ PROJECTION_TAIL_EVENTS: '0' }).PROJECTION_TAIL_EVENTS).toBe(0);
    expect(() => loadConfig({ PROJECTION_TAIL_EVENTS: '-1' })).toThrow(/PROJECTION_TAIL_EVENTS="-1"/);
  });

  it('lets the projection tail grow to 100,000 events behind a slow projection by default', () => {
    expect(loadConfig({}).PROJECTION_TAIL_MAX_EVENTS).toBe(100000);
    expect(loadConfig({ PROJECTION_TAIL_MAX_EVENTS: '0' }).PROJECTION_TAIL_MAX_EVENTS).toBe(0);
    expect(() => loadConfig({ PROJECTION_TAIL_MAX_EVENTS: '2000000' })).toThrow(
      /PROJECTION_TAIL_MAX_EVENTS="2000000" must be at most 1000000/,
    );
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000" must be at most 65535/);
  });
});

describe('rate limit settings', () => {
  it('default to 600 and 60 requests per minute; 0 turns a limit off', () => {
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_PER_MINUTE: 600, RATE_LIMIT_ADMIN_PER_MINUTE: 60 });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).toBe(0);
  });

  it('refuses a negative or fractional limit, naming the variable', () => {
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE="-1" must be 0/);
    expect(() => loadConfig({ RATE_LIMIT_ADMIN_PER_MINUTE: '1.5' })).toThrow(
      /RATE_LIMIT_ADMIN_PER_MINUTE="1.5" must be a whole number/,
    );
  });
});

describe('demo settings', () => {
  it('are off by default, with loopback port 3900 and a demo recipient', () => {
    expect(loadConfig({})).toMatchObject({
      DEMO: false,
      DEMO_FEEDS_PORT: 3900,
      DEMO_ALERT_RECIPIENT: 'demo@example.org',
    });
    expect(loadConfig({ DEMO: 'true' }).DEMO).toBe(true);
  });

  it('refuses a bad switch, port or recipient, naming each', () => {
    expect(() => loadConfig({ DEMO: 'yes' })).toThrow(/DEMO="yes" must be true or false/);
    expect(() => loadConfig({ DEMO_FEEDS_PORT: '0' })).toThrow(/DEMO_FEEDS_PORT="0" must be greater than 0/);
    expect(() => loadConfig({ DEMO_ALERT_RECIPIENT: 'me' })).toThrow(
      /DEMO_ALERT_RECIPIENT="me" must be an e-mail/,
    );
  });

  it('refuses the demo in production', () => {
    expect(() =>
      loadConfig({ DEMO: 'true', NODE_ENV: 'production', ALERTS_TOKEN_SECRET: 'a-real-secret-of-length' }),
    ).toThrow(/DEMO="true" is for trying frictionwatch out/);
  });
});
