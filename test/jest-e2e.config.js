// e2e tests: the real API on a fresh PostgreSQL database and a fresh Redis key prefix per run.
const base = require('../jest.base');
module.exports = {
  ...base,
  rootDir: require('path').resolve(__dirname, '..'),
  testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
};
