import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/** Every setting Crewdesk reads from the environment, with its default. `.env.example` lists them all. */
export class Env {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Base URL customers and staff reach the product at; used in access links. Unset: `http://localhost:<PORT>`. */
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_URL = 'http://localhost:3000';

  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/crewdesk';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 20;

  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key (BullMQ queues, rate limits), so several deployments or test runs share one Redis. */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, - and _ only' })
  REDIS_PREFIX = 'crewdesk';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET = 'dev-only-secret-change-me-dev-only-secret-change-me';

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  PORTAL_LINK_TTL_DAYS = 90;

  @Transform(toBool)
  @IsBoolean()
  SIGNUP_ENABLED = true;

  /** Requests a minute per address on public (no login) endpoints. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  PUBLIC_RATE_LIMIT = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_RATE_LIMIT = 20;

  @IsString()
  STORAGE_DIR = './var/storage';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  /**
   * API processes `serve` runs on this machine (node:cluster, one port): `auto` is one per CPU. With more than one,
   * sockets use the websocket transport only (long-polling needs sticky sessions); the Redis adapter joins them.
   */
  @Matches(/^(auto|[1-9][0-9]?)$/, { message: 'API_WORKERS must be auto or a number from 1 to 99' })
  API_WORKERS = '1';

  /** `inline` runs the worker's processors inside the API process (the quickstart); `off` leaves them to apps/worker. */
  @IsIn(['inline', 'off'])
  RUN_WORKER: 'inline' | 'off' = 'off';

  /** Port of the inbound SMTP server in the worker (mail for the workspaces' mailboxes); 0 picks a free port. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  SMTP_INBOUND_PORT = 2525;

  @IsString()
  SMTP_INBOUND_HOST = '0.0.0.0';

  /** Outbound relay for replies and notifications, e.g. smtp://user:pass@smtp.example.com:587. Unset: mail is not sent. */
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(200 * 1024 * 1024)
  MAX_EMAIL_BYTES = 30 * 1024 * 1024;

  /**
   * Threads that parse inbound mail, off the event loop (a hostile mail is stopped after its time budget without
   * stalling anything else): `auto` is one fewer than the CPUs, at least 1 and at most 4.
   */
  @Matches(/^(auto|[1-9]|1[0-6])$/, { message: 'MAIL_PARSE_THREADS must be auto or a number from 1 to 16' })
  MAIL_PARSE_THREADS = 'auto';

  /** Acknowledgements one sender can receive an hour (loop safety). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  EMAIL_ACK_LIMIT_PER_HOUR = 5;

  /** Tries per outgoing reply before it is marked failed, and the first retry delay (doubling). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  EMAIL_RETRY_ATTEMPTS = 6;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  EMAIL_RETRY_DELAY_MS = 5000;

  /** Seconds between IMAP polls of each mailbox; new mail is usually seen at once through IDLE. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  IMAP_POLL_SECONDS = 30;

  /** Milliseconds in an SLA "minute": 60000 in real life; tests shrink it to run SLA clocks fast. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60000)
  SLA_MINUTE_MS = 60000;

  /** Ask customers how it went when their ticket is solved (CSAT, optional NPS and CES). */
  @Transform(toBool)
  @IsBoolean()
  SURVEYS_ENABLED = true;

  /** Days a survey link stays valid; the customer may change the answer until then. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(90)
  SURVEY_ANSWER_DAYS = 7;

  /** Seals channel secrets at rest; defaults to a key derived from JWT_SECRET. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'ENCRYPTION_KEY must be at least 32 characters' })
  ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  SEED_DEMO?: string;
}

export class ConfigError extends Error {}

/** Validates the environment; throws ConfigError with one readable line per problem. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(Env, defined, { exposeDefaultValues: true });
  if (defined.PUBLIC_URL === undefined && Number.isInteger(env.PORT)) env.PUBLIC_URL = `http://localhost:${env.PORT}`;
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `  - ${e.property}: ${m}`));
  if (env.NODE_ENV === 'production' && env.JWT_SECRET === new Env().JWT_SECRET) {
    problems.push('  - JWT_SECRET: set a secret of your own in production (e.g. `openssl rand -hex 32`)');
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return env;
}

let cached: Env | undefined;
/** The validated environment of this process, for code outside Nest's DI (scripts, data source). */
export function loadEnv(): Env {
  cached ??= validateEnv(process.env);
  return cached;
}
