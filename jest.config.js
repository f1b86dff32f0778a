// Unit tests: *.spec.ts beside the code. They may stub anything but PostgreSQL and Redis.
const base = require('./jest.base');
module.exports = { ...base, testMatch: ['<rootDir>/{apps,libs,migrations}/**/*.spec.ts'] };
