/**
 * The embeddable chat widget: one IIFE script, styles injected from JS into a Shadow DOM, no CSS file.
 * Build from the repository root: `npm run build:widget`
 * Output: apps/widget/dist/widget.js. The build prints the gzipped size and fails above the budget.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, 'dist');
const BUDGET_BYTES = 40 * 1024;

/** Prints widget.js's raw and gzipped size and fails the build when the gzipped size is over `limit`. */
function sizeBudget(file: string, limit: number): Plugin {
  const kb = (n: number) => (n / 1024).toFixed(1);
  return {
    name: 'crewdesk-widget-size-budget',
    apply: 'build',
    closeBundle() {
      const code = readFileSync(file);
      const gzipped = gzipSync(code, { level: 9 }).length;
      const line = `widget.js: ${kb(code.length)} KB, ${kb(gzipped)} KB gzipped (budget ${kb(limit)} KB)`;
      if (gzipped > limit) {
        process.exitCode = 1;
        throw new Error(`${line}: over the size budget by ${kb(gzipped - limit)} KB`);
      }
      console.log(`\n  ${line}\n`);
    },
  };
}

export default defineConfig({
  root: here,
  publicDir: false,
  logLevel: 'info',
  resolve: {
    alias: { '@crewdesk/realtime-client': resolve(here, '../../libs/realtime-client/src/index.ts') },
  },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    copyPublicDir: false,
    lib: {
      entry: resolve(here, 'src/main.ts'),
      name: 'CrewdeskWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
  plugins: [sizeBudget(resolve(outDir, 'widget.js'), BUDGET_BYTES)],
});
