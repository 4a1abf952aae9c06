import { Redis, type RedisOptions } from 'ioredis';

/** ioredis options from a redis:// or rediss:// URL. BullMQ workers need maxRetriesPerRequest null. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
}

/** `lazy`: connect on first command, so a command that never queues needs no Redis. */
export function createRedisConnection(url: string, name: string, options: { lazy?: boolean } = {}): Redis {
  const redis = new Redis({
    ...redisOptionsFromUrl(url),
    connectionName: name,
    lazyConnect: options.lazy ?? false,
  });
  redis.on('error', () => undefined); // surfaced through readiness and job failures
  return redis;
}

/**
 * Closes a connection this process opened: QUIT when it is ready (the replies in flight arrive
 * first), bounded by `timeoutMs`; otherwise, or after the bound, a plain disconnect. A connection to a
 * Redis that does not answer would wait for it forever.
 */
export async function closeRedis(redis: Redis, timeoutMs = 2000): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if ((redis.status as string) !== 'end') redis.disconnect();
}
