import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

/**
 * The soak of `npm run bench:soak` (30 sessions of real RTP, each with two consumers), shortened to
 * two minutes so that every CI run guards against leaks: it fails on transports, file descriptors
 * or UDP sockets left behind, on errors, and on memory growing over 10 % after the first minute.
 * The full ten-minute run is the benchmark (docs/benchmarks.md).
 */
describe('soak (short)', () => {
  it('carries 30 sessions for 2 minutes and leaves nothing behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/bench/soak.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, SESSIONS: '30', SOAK_MINUTES: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const summary = out.split('\n').find((l) => l.startsWith('30 sessions')) ?? '';
    process.stdout.write(`${summary}\n`);
    expect(code, out.slice(-3000)).toBe(0);
    expect(summary).toMatch(/rooms left 0;/);
  }, 240_000);
});
