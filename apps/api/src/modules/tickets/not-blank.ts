import { registerDecorator, ValidationOptions } from 'class-validator';

/** Non-blank text: whitespace alone is missing. */
export function NotBlank(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notBlank',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must not be empty`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && v.trim().length > 0 },
    });
}
