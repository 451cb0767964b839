import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The server's source files (not tests), relative to server/src. */
async function sources(): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.contract.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(path.join(SRC, file), 'utf8') })));
}

/** Files holding a match, with the first matching line. */
function holders(files: { file: string; text: string }[], pattern: RegExp): string[] {
  return files
    .filter((f) => pattern.test(f.text))
    .map((f) => f.file)
    .sort();
}

/**
 * One way to tell a session's clients (issue #13, item 2): the domain records an event with a push
 * or tells (SessionService), and signalling/sessionEvents.ts alone sends to socket rooms.
 */
describe('the push path', () => {
  it("only sessionEvents.ts addresses socket rooms (and socketAuth.ts a staff login's own sockets)", async () => {
    // `.to(`, `.in(` and `.except(` pick the rooms a broadcast goes to, on a server, a namespace or a socket.
    expect(holders(await sources(), /\.(to|in|except)\(/)).toEqual(['signalling/sessionEvents.ts', 'signalling/socketAuth.ts']);
  });

  it('routes, services and cluster code get no socket server: only signalling/ and the composition root import socket.io or signalling/', async () => {
    // The composition root: server.ts, and its build steps if they get a folder of their own (compose/).
    const root = (file: string) => file === 'server.ts' || file.startsWith(`compose${path.sep}`);
    const files = (await sources()).filter((f) => !f.file.startsWith(`signalling${path.sep}`) && !root(f.file));
    expect(holders(files, /from '(socket\.io|@socket\.io\/[^']*)'|from '[./]*\/signalling\//)).toEqual([]);
  });
});
