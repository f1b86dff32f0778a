/**
 * The web console: React + TypeScript, bundled by Vite 8 (oxc transforms the TSX; no plugin-react).
 * Build from the repository root: `npm run build:console`. Output: apps/console/dist, served by the API at `/`.
 * The build prints every chunk's raw and gzipped size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, 'dist');
/** The first screen's JavaScript (entry + vendor), gzipped: a budget so the inbox stays fast to load. */
const ENTRY_BUDGET_BYTES = 250 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Prints each emitted chunk's raw and gzipped size, and fails when the initial JavaScript is over budget. */
function bundleSizes(limit: number): Plugin {
  const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);
  return {
    name: 'crewdesk-console-bundle-sizes',
    apply: 'build',
    closeBundle() {
      const html = readFileSync(resolve(outDir, 'index.html'), 'utf8');
      let initial = 0;
      const lines = files(outDir)
        .filter((f) => /\.(js|css|html)$/.test(f))
        .map((f) => {
          const code = readFileSync(f);
          const gz = gzipSync(code, { level: 9 }).length;
          const name = relative(outDir, f);
          const eager = name.endsWith('.js') && html.includes(name.replace(/\\/g, '/'));
          if (eager) initial += gz;
          return { name, raw: code.length, gz, eager };
        })
        .sort((a, b) => b.gz - a.gz);
      console.log('\n  Console bundle (raw, gzipped):');
      for (const l of lines)
        console.log(`  ${kb(l.raw)} KB ${kb(l.gz)} KB gz  ${l.name}${l.eager ? '  (initial)' : ''}`);
      const line = `initial JavaScript ${kb(initial).trim()} KB gzipped (budget ${(limit / 1024).toFixed(0)} KB)`;
      if (initial > limit) {
        process.exitCode = 1;
        throw new Error(`${line}: over budget`);
      }
      console.log(`  ${line}\n`);
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'info',
  resolve: {
    alias: { '@crewdesk/realtime-client': resolve(here, '../../libs/realtime-client/src/index.ts') },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      // React Query marks its hooks "use client" (for server components); meaningless in a browser-only app.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
      output: {
        // Libraries change less often than the app: a separate, long-cached vendor chunk.
        advancedChunks: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // The socket loads after the first paint (see app/root.tsx).
            {
              name: 'socket',
              test: /node_modules[\\/](socket\.io-client|socket\.io-parser|engine\.io-client|engine\.io-parser|@socket\.io[\\/]component-emitter|debug|ms|xmlhttprequest-ssl)[\\/]/,
            },
            // ECharts (with zrender and its tslib) only behind the Reports screen's dynamic import: never initial.
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'http://localhost:3000', ws: true } } },
  plugins: [bundleSizes(ENTRY_BUDGET_BYTES)],
});
