import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

/**
 * scripts/start.sh's own part (README "Two commands"): a one-time demo password for `dispatcher`
 * and `supervisor`, made once, kept (owner-only) beside the users it seeds and reused, printed with
 * the console URL, and `DEMO_PASSWORD` choosing it instead; then `npm start`. The script runs as
 * written in a scratch copy of the repo layout whose scripts/setup.sh is a stand-in (the real one
 * rebuilds the working tree, which tests running beside it use), and whose `npm` only reports the
 * environment it was started with. What `npm start` then serves: test/e2e/defaults.test.ts.
 */
const scratch = mkdtempSync(path.join(os.tmpdir(), 'sightline-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function layout(): string {
  const root = mkdtempSync(path.join(scratch, 'repo-'));
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(path.join(REPO_ROOT, 'scripts/start.sh'), path.join(root, 'scripts/start.sh'));
  writeFileSync(path.join(root, 'scripts/setup.sh'), 'echo "[stand-in setup]"\n');
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\necho "npm $* DEMO_PASSWORD=$DEMO_PASSWORD"\n');
  chmodSync(path.join(bin, 'npm'), 0o755);
  return root;
}

function start(root: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', [path.join(root, 'scripts/start.sh')], {
    encoding: 'utf8',
    env: { PATH: `${path.join(root, 'bin')}:${process.env['PATH']}`, HOME: os.homedir(), ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  const printed = /password: (\S+)/.exec(r.stdout)?.[1];
  const npm = /^npm (.*) DEMO_PASSWORD=(\S*)$/m.exec(r.stdout);
  return { out: r.stdout, printed, npmArgs: npm?.[1], npmPassword: npm?.[2] };
}

describe('scripts/start.sh', () => {
  it('makes a one-time demo password, prints it with the console URL, keeps it owner-only and reuses it', () => {
    const root = layout();
    const first = start(root);
    expect(first.out).toContain('[stand-in setup]');
    expect(first.out).toContain('http://localhost:3000/console');
    expect(first.out).toMatch(/Log in as "dispatcher" \(or "supervisor"\)/);
    expect(first.printed).toMatch(/^[0-9a-f]{12}$/);
    expect(first.npmArgs).toBe('start --silent');
    expect(first.npmPassword).toBe(first.printed);
    const file = path.join(root, 'data', '.demo-password');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.printed);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = start(root);
    expect(second.printed).toBe(first.printed);
    expect(second.npmPassword).toBe(first.printed);
    // Another data directory, another password.
    expect(start(root, { DATA_DIR: path.join(root, 'other-data') }).printed).not.toBe(first.printed);
  });

  it('uses DEMO_PASSWORD when it is set, and writes none, on the port asked for', () => {
    const root = layout();
    const r = start(root, { DEMO_PASSWORD: 'chosen-password-1', PORT: '3456' });
    expect(r.printed).toBe('chosen-password-1');
    expect(r.npmPassword).toBe('chosen-password-1');
    expect(r.out).toContain('http://localhost:3456/console');
    expect(existsSync(path.join(root, 'data', '.demo-password'))).toBe(false);
  });
});
