// Compiles the TypeScript sources as they load, for `node -r ./scripts/register.js` (the benchmarks) and for threads
// started from the sources (the mail parser's, in tests and benchmarks). Not ts-node: its index loads `node:repl`,
// which loads `node:domain`, and with the domain module loaded every event emitter is made and every event emitted
// through the domain's wrappers. Crewdesk in production runs compiled code, without them; what measures it should
// too. `tsconfig-paths/register` resolves the `@crewdesk/*` paths where they are used.
'use strict';
const { readFileSync } = require('fs');
const { join } = require('path');
const { isMainThread } = require('worker_threads');

/** The main thread: swc, as `.swcrc` says (what jest uses). */
function swcCompiler() {
  const { transformSync } = require('@swc/core');
  const { $schema: _schema, ...swcrc } = JSON.parse(readFileSync(join(__dirname, '..', '.swcrc'), 'utf8'));
  const options = { ...swcrc, swcrc: false, sourceMaps: 'inline' };
  return (source, filename) => transformSync(source, { ...options, filename }).code;
}

/**
 * Threads: TypeScript's own transpiler. @swc/core's native module cannot be loaded by a thread once another thread
 * that had loaded it was terminated (the process crashes), and the mail parser's threads are terminated on purpose.
 */
function typescriptCompiler() {
  const ts = require('typescript');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    inlineSourceMap: true,
  };
  return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

const compile = isMainThread ? swcCompiler() : typescriptCompiler();
// Errors point into the TypeScript (Node reads the inline maps only when a stack is printed).
process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(compile(readFileSync(filename, 'utf8'), filename), filename);
};
