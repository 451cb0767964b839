import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Our pages run under CSP `script-src 'self'`: no eval, no `new Function`. Every shared schema is
 * loaded by those pages, so loading and using them must compile no code at all (not even a caught
 * probe: browsers report that as a policy violation). Checked in a fresh Node process, where
 * nothing has loaded zod before, with the global `Function` watched.
 */
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

function functionCallsWhile(body: string): string[] {
  const script = `
    const calls = [];
    const Native = globalThis.Function;
    globalThis.Function = new Proxy(Native, {
      construct: (t, args) => (calls.push(args.join(',')), Reflect.construct(t, args)),
      apply: (t, self, args) => (calls.push(args.join(',')), Reflect.apply(t, self, args)),
    });
    const shared = await import(${JSON.stringify(INDEX)});
    ${body}
    console.log(JSON.stringify(calls));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

describe('shared schemas under a policy without eval', () => {
  it('builds every schema and parses messages without compiling code', () => {
    const calls = functionCallsWhile(`
      shared.loginRequest.parse({ username: 'dispatcher', password: 'secret' });
      for (let i = 0; i < 3; i++) shared.loginRequest.safeParse({ username: '', password: 1 });
    `);
    expect(calls).toEqual([]);
  });
});
