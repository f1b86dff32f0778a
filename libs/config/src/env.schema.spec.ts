import { ConfigError, validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('fills defaults and converts types', () => {
    const env = validateEnv({ PORT: '4000', SIGNUP_ENABLED: 'false' });
    expect(env).toMatchObject({ PORT: 4000, SIGNUP_ENABLED: false, PUBLIC_RATE_LIMIT: 60, REDIS_PREFIX: 'crewdesk' });
  });

  it('takes the public URL from the port unless it is set', () => {
    expect(validateEnv({ PORT: '3591' }).PUBLIC_URL).toBe('http://localhost:3591');
    expect(validateEnv({}).PUBLIC_URL).toBe('http://localhost:3000');
    expect(validateEnv({ PORT: '3591', PUBLIC_URL: 'https://help.example.com' }).PUBLIC_URL).toBe(
      'https://help.example.com',
    );
  });

  it('names every bad setting in one readable message', () => {
    expect(() => validateEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' })).toThrow(ConfigError);
    try {
      validateEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
      expect((err as Error).message).toMatch(/JWT_SECRET must be at least 32 characters/);
    }
  });

  it('refuses the development secret in production', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: set a secret of your own/);
  });
});
