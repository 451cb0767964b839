import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two pages, two bundles: the caller's stays tiny (it loads over a weak mobile network); the
// console may be larger. Shared code is split into common chunks by the bundler.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2020', 'safari14'],
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        caller: resolve(import.meta.dirname, 'caller.html'),
        console: resolve(import.meta.dirname, 'console.html'),
        audit: resolve(import.meta.dirname, 'audit.html'),
      },
    },
  },
});
