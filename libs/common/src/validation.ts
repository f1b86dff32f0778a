import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorCode } from './errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The global pipe: unknown fields are refused, types are transformed, every failure is VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const first = fields[0];
      const message = first ? `${first.field}: ${first.problems[0]}` : 'The request is not valid';
      return new AppError(ErrorCode.VALIDATION_FAILED, message, { fields });
    },
  });
}
