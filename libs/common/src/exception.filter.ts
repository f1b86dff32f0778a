import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { AppError, ErrorBody, ErrorCode } from './errors';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): void;
  sent?: boolean;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MALFORMED_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MALFORMED_JSON,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_FAILED,
  FST_REQ_FILE_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_PARTS_LIMIT: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_FILES_LIMIT: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_INVALID_MULTIPART_CONTENT_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
};

const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.ROUTE_NOT_FOUND,
  405: ErrorCode.ROUTE_NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Maps any thrown value to `{ status, body }`: the one place errors become HTTP. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: clean({ code: err.code, message: err.message, details: err.details }),
      unexpected: false,
    };
  }
  const fstCode = (err as { code?: unknown })?.code;
  if (typeof fstCode === 'string' && FASTIFY_CODES[fstCode]) {
    const code = FASTIFY_CODES[fstCode];
    const status = (err as { statusCode?: number }).statusCode ?? 400;
    const message =
      code === ErrorCode.MALFORMED_JSON
        ? 'The request body is not valid JSON'
        : code === ErrorCode.PAYLOAD_TOO_LARGE
          ? 'The request body is too large'
          : (err as Error).message;
    return { status, body: { code, message }, unexpected: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    // Nest re-throws Fastify's body-parser errors as plain HttpExceptions: recognise malformed JSON by its text.
    if (
      status === 400 &&
      /^(Body is not valid JSON|Body cannot be empty|Unexpected token|Unexpected end of JSON|Bad control character|Expected)/.test(
        err.message,
      )
    ) {
      return {
        status,
        body: { code: ErrorCode.MALFORMED_JSON, message: 'The request body is not valid JSON' },
        unexpected: false,
      };
    }
    const code = HTTP_CODES[status];
    if (code) {
      const message =
        status === 404
          ? 'No such route'
          : status === 413
            ? 'The request body is too large'
            : status === 503
              ? 'A service this depends on is down'
              : err.message;
      const details = status === 503 ? err.getResponse() : undefined;
      if (details) return { status, body: { code, message, details }, unexpected: false };
      return { status, body: { code, message }, unexpected: false };
    }
  }
  // PostgreSQL refusing text it cannot hold (a NUL, an invalid byte sequence) that got past checkInput, e.g. from a
  // socket event: the input's fault, and the statement wrote nothing.
  const pgCode = (err as { driverError?: { code?: unknown } })?.driverError?.code ?? fstCode;
  if (pgCode === '22021' || pgCode === '22P05') {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: {
        code: ErrorCode.VALIDATION_FAILED,
        message: 'The request holds text that cannot be stored (a NUL character or an invalid byte sequence)',
      },
      unexpected: false,
    };
  }
  // A number larger than its column holds that a DTO let through: the input's fault, and nothing was written.
  if (pgCode === '22003') {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: { code: ErrorCode.VALIDATION_FAILED, message: 'A number in the request is out of range' },
      unexpected: false,
    };
  }
  const statusCode = (err as { statusCode?: number })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && HTTP_CODES[statusCode]) {
    return {
      status: statusCode,
      body: { code: HTTP_CODES[statusCode]!, message: (err as Error).message },
      unexpected: false,
    };
  }
  const errorId = randomUUID();
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { code: ErrorCode.INTERNAL, message: `Something went wrong on our side (error id ${errorId})`, errorId },
    unexpected: true,
  };
}

function clean(body: ErrorBody): ErrorBody {
  if (body.details === undefined) delete body.details;
  return body;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<Reply>();
    const { status, body, unexpected } = toErrorResponse(exception);
    if (unexpected) this.logger.error({ err: exception, errorId: body.errorId }, 'Unhandled error');
    if (reply.sent) return;
    if (status === 429)
      reply.header('retry-after', String((body.details as { retryAfter?: number })?.retryAfter ?? 60));
    reply.status(status).send(body);
  }
}
