import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';

/**
 * The deployment's rate limits, in one place. In Redis mode they are shared by every node; in
 * memory mode they live in the process. Numbers are generous for a real shift and tight for a script.
 * Per-address limits are keyed by `addressKey` (server/src/http/clientAddress.ts: IPv6 by /64).
 */
export interface LimitSpec {
  points: number;
  durationSec: number;
}

export const LIMITS = {
  loginPerIp: { points: 30, durationSec: 15 * 60 },
  /** Failures for one username from one address (auth/LoginGuard.ts): what stops a guesser at one place. */
  loginFailuresPerUserAddress: { points: 10, durationSec: 15 * 60 },
  /** Failures for one username from everywhere: a ceiling on spread-out guessing that spares addresses the user signed in from. */
  loginFailuresPerUser: { points: 100, durationSec: 15 * 60 },
  /** Marks (username, address) pairs that signed in during the last shift (points are never exhausted). */
  loginSuccessesPerUserAddress: { points: 1_000_000, durationSec: 12 * 3600 },
  sessionsPerDispatcher: { points: 60, durationSec: 60 * 60 },
  smsPerDispatcher: { points: 60, durationSec: 60 * 60 },
  socketEventsPerConnection: { points: 60, durationSec: 1 },
  redeemAttemptsPerAddress: { points: 60, durationSec: 60 },
  redeemFailuresPerAddress: { points: 5, durationSec: 15 * 60 },
  /**
   * Wrong spoken codes from all addresses together, per generation of live codes (a generation ends
   * when the budget is spent: every live code is replaced). 19 × MAX_LIVE_SPOKEN_CODES (50) = 950
   * guesses at a 6-digit space < 1/1,000 chance of hitting a live code in its lifetime (docs/security.md,
   * "Spoken codes"). The window is the code lifetime (SPOKEN_CODE_MINUTES), set in deploymentLimits.ts.
   */
  codeFailureBudget: { points: 19, durationSec: 10 * 60 },
  /** Budget trips (code replacements) per window; past them code entry is closed until the window ends. */
  codeBudgetTrips: { points: 3, durationSec: 10 * 60 },
  /**
   * Pre-tap credentials handed out per session (each page open of the link mints one, issue #12): a
   * caller reloads a handful of times; past this the page still works, tapping the old way (HTTP
   * redeem, new socket) instead of connecting first, so a script minting credentials gains nothing.
   */
  pretapCredentialsPerSession: { points: 20, durationSec: 10 * 60 },
  /** The caller's photos (before the tap anyone with the link may send them): a handful per call is real use. */
  callerPhotosPerSession: { points: 20, durationSec: 10 * 60 },
  // Socket budgets (issue #11 item 2; signalling/SocketBudgets.ts). "Token" is the socket's principal:
  // the session's caller, one viewer, or one staff user. A real call uses a small part of each: a chat
  // line every few seconds, location on a tap, a pause or flip now and then, a join per (re)connection.
  chatPerToken: { points: 30, durationSec: 60 },
  chatPerSession: { points: 120, durationSec: 60 },
  locationPerToken: { points: 20, durationSec: 60 },
  locationPerSession: { points: 40, durationSec: 60 },
  /** Pause/flip reports, camera outcomes, control requests and replies. */
  mediaStatePerToken: { points: 60, durationSec: 60 },
  mediaStatePerSession: { points: 120, durationSec: 60 },
  /** Each join sends the session's timeline. */
  joinsPerToken: { points: 30, durationSec: 60 },
  /** transport:create / connect / restart-ice / close. */
  transportOpsPerToken: { points: 60, durationSec: 60 },
  /** media:produce: each one replaces a producer and, while recording, starts a new segment. */
  producesPerToken: { points: 20, durationSec: 60 },
  /**
   * Bytes of session-log records that sockets may cause per session (estimated from the message; the
   * session's own lifecycle records are not counted): about 1,000 chat lines per 15 minutes.
   */
  logBytesPerSession: { points: 256 * 1024, durationSec: 15 * 60 },
  /** Refusals a socket may collect before it is dropped (a page backs off; a script does not). */
  refusalsPerConnection: { points: 120, durationSec: 10 },
  /** The dispatchers' snapshots of one session: one every 10 s for 10 minutes is more than a person clicks. */
  snapshotsPerSession: { points: 60, durationSec: 10 * 60 },
} as const satisfies Record<string, LimitSpec>;

/** Live spoken codes in the whole deployment at most (one per session; the budget's bound rests on it). */
export const MAX_LIVE_SPOKEN_CODES = 50;

/**
 * Sockets open at once per token (a caller's reload or network change leaves the old socket for up to
 * ~10 s, the ping timeout; a dispatcher may have the console and the audit page open in a few tabs).
 */
export const SOCKETS_PER_TOKEN = { caller: 3, viewer: 3, staff: 6, pretap: 3 } as const;

/** Writes that may wait per session for the log (fsync'd one by one); more are refused, not queued. */
export const APPEND_QUEUE_PER_SESSION = 32;

/** Live WebRTC transports per peer (socket): send and receive, and one spare each while rebuilding. */
export const TRANSPORTS_PER_PEER = 4;
/** Live producers per peer: camera and microphone, and their successors while replacing. */
export const PRODUCERS_PER_PEER = 4;

/** One spending of points: allowed or not, and the key's count after it (this spending included). */
export interface LimitUse {
  allowed: boolean;
  /** Points spent on the key in its window, counting this spending (also when refused). */
  consumed: number;
  retryAfterSeconds: number;
}

/**
 * A named limit. Every spending is one atomic step in the store (rate-limiter-flexible's `consume`):
 * there is no "check, then spend" here, because concurrent requests slip between the two.
 */
export class Limit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly points: number,
    /** Named in the RateLimitedError it throws (and so in the `rate_limited` security event). */
    readonly name = 'limit',
  ) {}

  /** Spends points or throws RateLimitedError with the wait. */
  async take(key: string, points = 1): Promise<LimitUse> {
    const use = await this.spend(key, points);
    if (!use.allowed) throw new RateLimitedError(use.retryAfterSeconds, this.name);
    return use;
  }

  /** Spends points and says whether that was allowed, without throwing for a refusal. */
  async spend(key: string, points = 1): Promise<LimitUse> {
    try {
      return useOf(await this.limiter.consume(key, points), true);
    } catch (res) {
      if (res instanceof RateLimiterRes) return useOf(res, false);
      throw res;
    }
  }

  /**
   * Gives points back (rate-limiter-flexible's `reward`). A limit on failures only spends a point up
   * front, atomically, and gives it back when the attempt succeeds (invites/RedeemLimiter.ts).
   */
  async refund(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  /** Points spent on the key in the current window (0 when none), without spending. */
  async spent(key: string): Promise<number> {
    return (await this.limiter.get(key))?.consumedPoints ?? 0;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

function useOf(res: RateLimiterRes, allowed: boolean): LimitUse {
  return { allowed, consumed: res.consumedPoints, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

/** `redis` is a connected node-redis client in Redis mode. Durations are whole seconds in the store (at least 1). */
export function createLimit(name: string, spec: LimitSpec, redis?: unknown): Limit {
  const common = { points: spec.points, duration: Math.max(1, Math.round(spec.durationSec)), keyPrefix: `sl:rl:${name}` };
  return new Limit(redis ? new RateLimiterRedis({ ...common, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(common), spec.points, name);
}
