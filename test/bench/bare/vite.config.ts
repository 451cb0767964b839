import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The two pages of the bare baseline: publisher (phone) and subscriber (console).
 * `npx vite build -c test/bench/bare/vite.config.ts` builds into test/bench/bare/dist (git-ignored);
 * ttff-bare.ts overrides outDir with a temp dir.
 */
export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: ['es2020', 'safari14'],
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        publisher: resolve(import.meta.dirname, 'publisher.html'),
        subscriber: resolve(import.meta.dirname, 'subscriber.html'),
      },
    },
  },
});
