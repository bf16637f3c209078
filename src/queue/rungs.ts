import type { Redis } from 'ioredis';
import type { RungStore } from '../registry/schedulers/index.js';

/** A sweep's scheduler rungs in Redis: one hash per decision point, trial -> value, shared by every worker. */
export class RedisRungs implements RungStore {
  constructor(
    private readonly redis: Redis,
    private readonly sweep: string,
  ) {}

  async record(point: string, trial: string, value: number): Promise<number[]> {
    const key = `exp:rungs:${this.sweep}:${point}`;
    // One transaction: a worker sees the others' values as they were when it recorded its own.
    const result = await this.redis.multi().hset(key, trial, String(value)).hgetall(key).exec();
    const all = (result?.[1]?.[1] ?? {}) as Record<string, string>;
    return Object.entries(all).filter(([t]) => t !== trial).map(([, v]) => Number(v));
  }
}
