import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../core/errors.js';

/** `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS) as ioredis options; anything else is refused. */
export function redisOptions(url: string): RedisOptions & { label: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--queue '${url}' is not a Redis URL: write redis://host:6379 or redis://host:6379/2 (database 2)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UserError(`--queue '${url}': the scheme must be redis:// or rediss:// (got ${parsed.protocol})`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new UserError(`--queue '${url}': the path must be a database number, e.g. redis://host:6379/2`);
  // The password is never echoed: the label names host, port and database only.
  const port = parsed.port ? Number(parsed.port) : 6379;
  return {
    label: `${parsed.protocol}//${parsed.hostname}:${port}${db ? `/${db}` : ''}`,
    host: parsed.hostname,
    port,
    db: db ? Number(db) : 0,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers block on Redis: commands wait for a reconnect instead of failing after N tries.
    maxRetriesPerRequest: null,
  };
}

/**
 * Checks that Redis answers before anything is enqueued or any parent run created: one try,
 * a few seconds, then a clear error (no retry loop that leaves a half-done enqueue behind).
 */
export async function checkReachable(url: string, timeoutMs = 5000): Promise<void> {
  const { label, ...options } = redisOptions(url);
  const probe = new Redis({ ...options, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than the rejected connect ("Connection is closed").
  let cause: string | undefined;
  probe.on('error', (e: Error) => (cause ??= e.message));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new UserError(`the queue's Redis at ${label} is unreachable (${cause ?? (e instanceof Error ? e.message : String(e))}); nothing was enqueued. Start it (redis-server --port ${options.port}) or check --queue`);
  } finally {
    probe.disconnect();
  }
}
