import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server.js';

/**
 * docs/test-map.md points each README claim at a test. This keeps the pointers honest: every file
 * it names exists and holds a test of the name it quotes (so renaming or deleting a test that
 * proves a claim shows here), and every part of the README that makes claims has its section.
 */
const map = readFileSync(path.join(REPO_ROOT, 'docs/test-map.md'), 'utf8');
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** `file`: "name"; "name" … in a table's test column: each quoted name belongs to the last file named before it. */
function references(): { file: string; name: string; row: string }[] {
  const refs: { file: string; name: string; row: string }[] = [];
  for (const row of map.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| claim') && !l.startsWith('|---'))) {
    const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const tests = cells[2] ?? '';
    let file: string | undefined;
    for (const m of tests.matchAll(/`([\w./-]+\.ts)`|"([^"]+)"/g)) {
      if (m[1]) file = m[1];
      else if (file) refs.push({ file, name: m[2]!, row: cells[1]! });
    }
  }
  return refs;
}

/** The test's name as its source spells it: quotes may be ', " or `, the name's own quotes escaped. */
function holdsTest(source: string, name: string): boolean {
  const esc = (q: string) => name.replaceAll(q, `\\${q}`);
  return [`'${esc("'")}'`, `"${esc('"')}"`, `\`${esc('`')}\``].some((q) => source.includes(q));
}

describe('docs/test-map.md', () => {
  const refs = references();

  it('names tests, a good many of them', () => {
    expect(refs.length).toBeGreaterThan(100);
  });

  it('names only files that exist, each holding a test of the quoted name', () => {
    const wrong: string[] = [];
    for (const { file, name, row } of refs) {
      const full = path.join(REPO_ROOT, file);
      if (!existsSync(full)) wrong.push(`${file} (no such file), for "${row}"`);
      else if (!holdsTest(readFileSync(full, 'utf8'), name)) wrong.push(`${file}: no test "${name}", for "${row}"`);
    }
    expect(wrong).toEqual([]);
  });

  it('has a section for every part of the README that makes claims', () => {
    const headings = new Set([...map.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.trim()));
    const works = readme.slice(readme.indexOf('## What works today'), readme.indexOf('\n## ', readme.indexOf('## What works today') + 5));
    const parts = [...works.matchAll(/^\*\*([^*]+)\*\*/gm)].map((m) => m[1]!.replace(/:$/, '').trim());
    expect(parts.length).toBeGreaterThan(10);
    for (const part of [...parts, 'Two commands', 'Command line', 'Air-gapped install']) {
      expect(headings.has(part), `a "## ${part}" or "### ${part}" section`).toBe(true);
    }
  });
});
