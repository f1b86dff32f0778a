import { HttpStatus } from '@nestjs/common';

/** Stable, machine-readable error codes. Clients switch on these; never rename one. */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  NOT_FOUND = 'NOT_FOUND',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  FORBIDDEN = 'FORBIDDEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  TICKET_CLOSED = 'TICKET_CLOSED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  CONFLICT = 'CONFLICT',
  SLUG_TAKEN = 'SLUG_TAKEN',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  ISSUE_KEY_TAKEN = 'ISSUE_KEY_TAKEN',
  SIGNUP_DISABLED = 'SIGNUP_DISABLED',
  RATE_LIMITED = 'RATE_LIMITED',
  ATTACHMENT_INVALID = 'ATTACHMENT_INVALID',
  IDENTITY_INVALID = 'IDENTITY_INVALID',
  INTERNAL = 'INTERNAL',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

const STATUS: Record<ErrorCode, HttpStatus> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_JSON: HttpStatus.BAD_REQUEST,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  ROUTE_NOT_FOUND: HttpStatus.NOT_FOUND,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  VERSION_CONFLICT: HttpStatus.CONFLICT,
  INVALID_TRANSITION: HttpStatus.UNPROCESSABLE_ENTITY,
  TICKET_CLOSED: HttpStatus.UNPROCESSABLE_ENTITY,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  CONFLICT: HttpStatus.CONFLICT,
  SLUG_TAKEN: HttpStatus.CONFLICT,
  EMAIL_TAKEN: HttpStatus.CONFLICT,
  ISSUE_KEY_TAKEN: HttpStatus.CONFLICT,
  SIGNUP_DISABLED: HttpStatus.FORBIDDEN,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  ATTACHMENT_INVALID: HttpStatus.BAD_REQUEST,
  IDENTITY_INVALID: HttpStatus.UNAUTHORIZED,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** A domain error: thrown anywhere (api, worker, libs), mapped to HTTP by the one global filter. */
export class AppError extends Error {
  readonly status: HttpStatus;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }

  static notFound(what: string, details?: unknown): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} not found`, details);
  }
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  errorId?: string;
}
