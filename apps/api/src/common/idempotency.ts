import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppError, ErrorCode } from '@crewdesk/common';

/** The `Idempotency-Key` header: 1 to 255 visible ASCII characters, or undefined. */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  return value;
});
