// Loads the TypeScript sources with swc, the way `.swcrc` compiles them, for `node -r ./bench/register.js`.
// Not ts-node: its index loads `node:repl`, which loads `node:domain`, and with the domain module loaded every event
// emitter is made and every event emitted through the domain's wrappers. Crewdesk in production runs compiled code,
// without them; a benchmark should too. `tsconfig-paths/register` resolves the `@crewdesk/*` paths.
'use strict';
const { readFileSync } = require('fs');
const { join } = require('path');
const { transformSync } = require('@swc/core');

const { $schema: _schema, ...swcrc } = JSON.parse(readFileSync(join(__dirname, '..', '.swcrc'), 'utf8'));
const options = { ...swcrc, swcrc: false, sourceMaps: 'inline' };
// Errors point into the TypeScript (Node reads the inline maps only when a stack is printed).
process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
