// Nest's webpack build (nest-cli.json) with one more entry: the mail parser's worker thread, which runs as its
// own file next to main.js (libs/channels/src/email/mail-parser-pool.ts).
const path = require('path');

module.exports = (options) => ({
  ...options,
  entry: {
    main: options.entry,
    'mail-parse.worker': path.resolve(__dirname, 'libs/channels/src/email/mail-parse.worker.ts'),
  },
  output: {
    ...options.output,
    filename: path.join(path.dirname(options.output.filename), '[name].js'),
    // The worker's default export is what the thread runs.
    library: { type: 'commonjs2' },
  },
});
