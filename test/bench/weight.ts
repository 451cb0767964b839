/**
 * Caller page weight: builds the client with its own Vite config (into a temp dir, so no stale
 * client/dist is measured) and prints what the caller page (`/j/<code>`) loads before the tap:
 * the HTML, the JS chunks reached by static imports, the CSS, each gzipped as the server's
 * `compression()` sends them (zlib's default level); and the chunks loaded on demand (languages
 * other than bokmål when chosen, the viewer's part when the link is a viewer's). The split between libraries and the page's own code is measured,
 * not estimated: the client is built again with mediasoup-client, then socket.io-client, then
 * both left out (external), and each library's share is what its absence takes off the eager JS.
 * Bytes on the wire to first frame (headers and signalling included) come from `npm run bench:ttff`.
 *
 *   npm run bench:weight
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';
import { REPO_ROOT } from '../support/server.js';

const CLIENT = path.join(REPO_ROOT, 'client');
const LIBRARIES = ['mediasoup-client', 'socket.io-client'] as const;

interface PageWeight {
  html: number;
  /** Eager JS chunks: file name → gzip bytes. */
  js: Map<string, number>;
  css: Map<string, number>;
  /** Chunks reached only through dynamic imports: file name → gzip bytes. */
  lazy: Map<string, number>;
}

const gz = (source: string | Uint8Array) => gzipSync(typeof source === 'string' ? Buffer.from(source) : source).length;
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Builds the client (all pages, as `npm run build` does) and weighs the caller page's part. */
async function weighCallerPage(external: readonly string[]): Promise<PageWeight> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-weight-'));
  try {
    const result = await build({
      root: CLIENT,
      configFile: path.join(CLIENT, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir, emptyOutDir: true, rollupOptions: { external: [...external] } },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    return callerPart(outputs.flatMap((o) => o.output));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function callerPart(output: (Rollup.OutputChunk | Rollup.OutputAsset)[]): PageWeight {
  const chunks = new Map(output.filter((o): o is Rollup.OutputChunk => o.type === 'chunk').map((c) => [c.fileName, c]));
  const assets = new Map(output.filter((o): o is Rollup.OutputAsset => o.type === 'asset').map((a) => [a.fileName, a]));
  const entry = [...chunks.values()].find((c) => c.isEntry && c.facadeModuleId?.endsWith('/caller.html'));
  const html = assets.get('caller.html');
  if (!entry || !html) throw new Error('the client build has no caller.html entry');

  const eager = closure([entry.fileName], (c) => c.imports, chunks);
  const lazy = closure(
    [...eager].flatMap((f) => chunks.get(f)!.dynamicImports),
    (c) => c.imports,
    chunks,
  );
  for (const f of eager) lazy.delete(f);
  const css = new Set([...eager].flatMap((f) => [...((chunks.get(f) as { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? [])]));
  const weigh = (files: Iterable<string>) => new Map([...files].map((f) => [f, gz(chunks.get(f)?.code ?? assets.get(f)!.source)] as const));
  return { html: gz(html.source), js: weigh(eager), css: weigh(css), lazy: weigh(lazy) };
}

/** Chunk file names reachable from `start` through `next`. */
function closure(start: string[], next: (c: Rollup.OutputChunk) => string[], chunks: Map<string, Rollup.OutputChunk>): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f) || !chunks.has(f)) continue;
    seen.add(f);
    todo.push(...next(chunks.get(f)!));
  }
  return seen;
}

async function main(): Promise<void> {
  const full = await weighCallerPage([]);
  const without = new Map<string, PageWeight>();
  for (const lib of LIBRARIES) without.set(lib, await weighCallerPage([lib]));
  const own = await weighCallerPage(LIBRARIES);

  const js = sum(full.js);
  const lines = [
    `caller page before the tap, gzip (zlib default level, as compression() sends it):`,
    `  HTML ${kib(full.html)}; CSS ${kib(sum(full.css))} (${full.css.size} file(s)); JS ${kib(js)} in ${full.js.size} chunk(s)`,
    `  total HTML + CSS + JS: ${kib(full.html + sum(full.css) + js)}`,
    `JS split (each library's share = what leaving it out of the build takes off):`,
    ...LIBRARIES.map((lib) => `  ${lib} (with its dependencies): ${kib(js - sum(without.get(lib)!.js))}`),
    `  the page's own code (@sightline/shared, i18n for bokmål, UI): ${kib(sum(own.js))}`,
    `loaded on demand (dynamic imports: the other languages, the viewer's part): ${full.lazy.size} chunk(s), ${kib(sum(full.lazy))} in all, largest ${kib(Math.max(0, ...full.lazy.values()))}`,
    ...[...full.js].map(([f, n]) => `  eager ${f}: ${kib(n)}`),
    ...[...full.lazy].map(([f, n]) => `  lazy  ${f}: ${kib(n)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
