import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/** What SessionService.ts imports: the module specifiers of its `import ... from` lines. */
async function importsOf(file: URL): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
}

/**
 * The lifecycle and the log stand on their own (issue #13, item 6): the ways in (invites, tokens)
 * and the SMS build on SessionService, never the other way round.
 */
describe('SessionService stays the lifecycle and the log', () => {
  it('imports nothing from auth/, sms/ or invites/', async () => {
    const imports = await importsOf(new URL('./SessionService.ts', import.meta.url));
    expect(imports.length).toBeGreaterThan(3);
    expect(imports.filter((m) => /^\.\.\/(auth|sms|invites)\//.test(m))).toEqual([]);
  });
});
