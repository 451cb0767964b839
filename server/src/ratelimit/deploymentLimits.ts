import type { Config } from '../config.js';
import { createLimit, LIMITS, type Limit } from './limits.js';

export type LimitName = keyof typeof LIMITS;

/** Limits counted on this node whatever the store: sockets live on one node, so do their refusals. */
const NODE_LOCAL: ReadonlySet<LimitName> = new Set(['refusalsPerConnection']);

/**
 * The deployment's limits: LIMITS with the figures the configuration sets (socket events a second,
 * refusals per 10 s, and the spoken code's lifetime as the guess budget's window: docs/security.md,
 * "Spoken codes"). Each call makes one limit, shared by the nodes through `redis` when given (a
 * connected node-redis client), else kept in this process.
 */
export function deploymentLimits(
  config: Pick<Config, 'socketEventsPerSecond' | 'socketRefusalsPer10s' | 'spokenCodeTtlMs'>,
  redis?: unknown,
): (name: LimitName) => Limit {
  const codeWindowSec = config.spokenCodeTtlMs / 1000;
  const specs = {
    ...LIMITS,
    socketEventsPerConnection: { points: config.socketEventsPerSecond, durationSec: 1 },
    refusalsPerConnection: { ...LIMITS.refusalsPerConnection, points: config.socketRefusalsPer10s },
    codeFailureBudget: { ...LIMITS.codeFailureBudget, durationSec: codeWindowSec },
    codeBudgetTrips: { ...LIMITS.codeBudgetTrips, durationSec: codeWindowSec },
  };
  return (name) => createLimit(name, specs[name], NODE_LOCAL.has(name) ? undefined : redis);
}
