import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

/**
 * The planted faults in test/planted-faults/ are run by hand (run.sh builds twice and runs an e2e
 * test per patch, far too slow for every run), so a patch that no longer fits the code it breaks
 * would rot unnoticed until someone runs them. This keeps them usable, cheaply (no build, no test
 * run): every patch still applies to the working tree (`git apply --check`, as run.sh applies it),
 * carries the `# kind:` and `# catches:` headers run.sh reads, and its `# catches:` command names
 * test files that exist and, for a plain `-t` filter, a test name those files still contain. That the
 * command is green without the fault and red with it stays run.sh's job.
 */
const dir = path.join(REPO_ROOT, 'test/planted-faults');
const patches = readdirSync(dir)
  .filter((f) => f.endsWith('.patch'))
  .sort();

const header = (text: string, key: string) => new RegExp(`^# ${key}: *(.+)$`, 'm').exec(text)?.[1]?.trim();

describe('test/planted-faults', () => {
  it('holds a good many patches', () => {
    expect(patches.length).toBeGreaterThan(40);
  });

  it('every patch still applies to the code (git apply --check)', () => {
    const rotten: string[] = [];
    for (const p of patches) {
      const r = spawnSync('git', ['apply', '--check', path.join(dir, p)], { cwd: REPO_ROOT, encoding: 'utf8' });
      if (r.status !== 0) rotten.push(`${p}: ${r.stderr.trim().split('\n')[0]}`);
    }
    // A patch listed here must be re-created against today's code (same fault), then shown
    // caught with: heavy bash test/planted-faults/run.sh <name>
    expect(rotten).toEqual([]);
  });

  it('every patch says its kind and a catching command that names test files and tests that exist', () => {
    const wrong: string[] = [];
    for (const p of patches) {
      const text = readFileSync(path.join(dir, p), 'utf8');
      const kind = header(text, 'kind');
      const cmd = header(text, 'catches');
      if (!kind) wrong.push(`${p}: no '# kind:' line`);
      if (!cmd) {
        wrong.push(`${p}: no '# catches:' line`);
        continue;
      }
      const files = [...cmd.matchAll(/(?:^|\s)([\w./-]+\.(?:test\.ts|sh))(?=\s|$)/g)].map((m) => m[1]!);
      if (files.length === 0) wrong.push(`${p}: '# catches:' names no test file or script: ${cmd}`);
      const missing = files.filter((f) => !existsSync(path.join(REPO_ROOT, f)));
      for (const f of missing) wrong.push(`${p}: '# catches:' names ${f}, which does not exist`);
      const filter = /\s-t\s+(?:'([^']*)'|"([^"]*)")/.exec(cmd);
      const name = filter?.[1] ?? filter?.[2];
      // vitest's -t is a pattern over full test names; only a plain one can be looked for as text.
      const testFiles = files.filter((f) => f.endsWith('.test.ts') && !missing.includes(f));
      if (name && !/[\\^$.*+?()[\]{}|]/.test(name) && testFiles.length > 0) {
        if (!testFiles.some((f) => readFileSync(path.join(REPO_ROOT, f), 'utf8').includes(name))) {
          wrong.push(`${p}: no test in ${testFiles.join(', ')} matches -t '${name}'`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
