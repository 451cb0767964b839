import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';

/**
 * The deployment's rate limits, in one place. In Redis mode they are shared by every node; in
 * memory mode they live in the process. Numbers are generous for a real shift and tight for a script.
 */
export interface LimitSpec {
  points: number;
  durationSec: number;
}

export const LIMITS = {
  loginPerIp: { points: 30, durationSec: 15 * 60 },
  loginFailuresPerUser: { points: 10, durationSec: 15 * 60 },
  sessionsPerDispatcher: { points: 60, durationSec: 60 * 60 },
  smsPerDispatcher: { points: 60, durationSec: 60 * 60 },
  socketEventsPerConnection: { points: 60, durationSec: 1 },
  redeemAttemptsPerIp: { points: 60, durationSec: 60 },
  redeemFailuresPerIp: { points: 5, durationSec: 15 * 60 },
  /** The caller's photos (before the tap anyone with the link may send them): a handful per call is real use. */
  callerPhotosPerSession: { points: 20, durationSec: 10 * 60 },
} as const satisfies Record<string, LimitSpec>;

/** A named limit: `take` spends a point or throws RateLimitedError with the wait. */
export class Limit {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async take(key: string, points = 1): Promise<void> {
    try {
      await this.limiter.consume(key, points);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      throw res;
    }
  }

  /** Throws if the key has nothing left, without spending (for "failures only" limits). */
  async check(key: string): Promise<void> {
    const res = await this.limiter.get(key);
    if (res && res.remainingPoints <= 0) throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** `redis` is a connected node-redis client in Redis mode. */
export function createLimit(name: string, spec: LimitSpec, redis?: unknown): Limit {
  const common = { points: spec.points, duration: spec.durationSec, keyPrefix: `sl:rl:${name}` };
  return new Limit(redis ? new RateLimiterRedis({ ...common, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(common));
}
