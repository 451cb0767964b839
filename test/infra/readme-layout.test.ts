import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

/**
 * The README's "Layout" block is how a newcomer finds a feature from folder names alone (issue #13,
 * item 9), so it must name every folder that holds code, and no folder that is gone. The block is a
 * tree: an unindented `name/` line is a top-level folder, and an indented `rel/path/` line a folder
 * inside it. Folders inside the worker build and the Helm chart are that tool's own layout, named as
 * one line each.
 */
const OWN_LAYOUT = ['infra/mediasoup-worker/', 'infra/helm/', 'docs/screenshots'];

function listed(readme: string): Set<string> {
  const block = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no "## Layout" code block');
  const folders = new Set<string>();
  let top = '';
  for (const line of block.split('\n')) {
    const name = /^(\s*)(\S+\/)(?:\s|$)/.exec(line);
    if (!name) continue;
    if (name[1] === '') top = name[2]!;
    // `src/auth/` under `server/` names server/src too.
    for (let dir = (name[1] === '' ? name[2]! : top + name[2]!).replace(/\/$/, ''); dir !== '.'; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  return folders;
}

function foldersWithFiles(): Set<string> {
  const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n');
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  return new Set([...folders].filter((d) => !OWN_LAYOUT.some((own) => d.startsWith(own))));
}

describe('README layout', () => {
  const names = listed(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));

  it('names every folder that holds files', () => {
    const missing = [...foldersWithFiles()].filter((d) => !names.has(d)).sort();
    expect(missing).toEqual([]);
  });

  it('names no folder that does not exist', () => {
    const stale = [...names].filter((d) => !existsSync(path.join(REPO_ROOT, d))).sort();
    expect(stale).toEqual([]);
  });
});
