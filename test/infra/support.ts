import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { REPO_ROOT } from '../support/server.js';

/** A path under infra/. */
export const infra = (...p: string[]) => path.join(REPO_ROOT, 'infra', ...p);

/** The path of a command on PATH, or undefined (docker, helm and haproxy are optional here). */
export function which(command: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Compose interpolation: ${NAME:-default} takes its default, anything else a 40-character stand-in. */
export const fillCompose = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[^}]+\}/g, 'x'.repeat(40));

/** The server's own config parser accepts this environment as a production node's. */
export function assertEnvAccepted(env: Record<string, string>): void {
  const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fillCompose(v)]));
  expect(filled['NODE_ENV']).toBe('production');
  // What a deployment sets from secrets or the downward API is stood in for; the rest is as written.
  expect(() => loadConfig({ JWT_SECRET: 'j'.repeat(40), ...filled })).not.toThrow();
}
