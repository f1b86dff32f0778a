import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError, ErrorCode } from './errors';
import { isWellFormed } from './sanitize';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    // class-validator records a field's rules bottom-up; the DTOs list the basic ones (type, presence) first, and the
    // message names the first problem: `limit=abc` is "must be an integer", not "must not be greater than 100".
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints).reverse() }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;

/**
 * class-validator looks a class's rules up on every validation by scanning every class it knows (an `instanceof`
 * each), then groups them by property: about a fifth of a request's validation time. Rules change only while
 * classes are being defined, so both lookups are remembered until a rule is added.
 */
export function rememberValidationRules(storage: Storage = getMetadataStorage()): void {
  const s = storage as Storage & { rulesRemembered?: boolean };
  if (s.rulesRemembered) return;
  s.rulesRemembered = true;
  let lookups = new Map<unknown, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, Record<string, Rules>>();
  const forget = () => {
    lookups = new Map();
    grouped = new WeakMap();
  };
  const lookup = s.getTargetValidationMetadatas.bind(s);
  const group = s.groupByPropertyName.bind(s);
  const addRule = s.addValidationMetadata.bind(s);
  const addConstraint = s.addConstraintMetadata.bind(s);
  s.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema ?? ''}|${always}|${strictGroups}|${groups?.join(',') ?? ''}`;
    let byKey = lookups.get(target);
    if (!byKey) lookups.set(target, (byKey = new Map()));
    let rules = byKey.get(key);
    if (!rules) byKey.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
  s.groupByPropertyName = (rules) => {
    let byProperty = grouped.get(rules);
    if (!byProperty) grouped.set(rules, (byProperty = group(rules)));
    return byProperty;
  };
  s.addValidationMetadata = (rule) => {
    forget();
    addRule(rule);
  };
  s.addConstraintMetadata = (constraint) => {
    forget();
    addConstraint(constraint);
  };
}

/** Objects and arrays nested deeper than this are refused before anything walks them recursively. */
export const MAX_INPUT_DEPTH = 32;

/** Why a string cannot be stored as text, or null. */
function unstorable(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  // An unpaired surrogate (`"\ud800"` in JSON) is not a character, and PostgreSQL's jsonb refuses it.
  if (!isWellFormed(s)) return 'must be valid Unicode text (it holds half of a surrogate pair)';
  return null;
}

/**
 * Refuses input no field can hold, before validation: a NUL character (PostgreSQL text cannot store one, so it would
 * fail deep in a statement) or an unpaired surrogate (jsonb refuses one) anywhere in a string or a key, and nesting
 * deeper than MAX_INPUT_DEPTH (validation and transformation recurse, and a body of thousands of `[` overflowed the
 * stack). Walks without recursion.
 */
export function checkInput(value: unknown, root = ''): void {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorable(v);
      if (problem)
        throw new AppError(ErrorCode.VALIDATION_FAILED, `${path || 'value'}: ${problem}`, {
          fields: [{ field: path, problems: [problem] }],
        });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    // JSON and query strings make plain objects (the query parser's have a bare prototype of their own); anything
    // else (a Buffer, a Date) is not walked.
    const proto = Object.getPrototypeOf(v) as object | null;
    if (!Array.isArray(v) && proto !== null && proto !== Object.prototype && Object.getPrototypeOf(proto) !== null)
      continue;
    if (depth >= MAX_INPUT_DEPTH)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        `${path || 'The request'} nests objects or arrays more than ${MAX_INPUT_DEPTH} levels deep`,
        { fields: [{ field: path, problems: [`nested more than ${MAX_INPUT_DEPTH} levels deep`] }] },
      );
    for (const [key, child] of Object.entries(v)) {
      const at = Array.isArray(v) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (unstorable(key)) stack.push({ v: key, path: at, depth });
      stack.push({ v: child, path: at, depth: depth + 1 });
    }
  }
}

/** The global pipe: input no field can hold is refused first (`checkInput`), then the DTO's rules. */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // What the request carries; custom parameters (the actor, an upload) are the application's own objects.
    if (metadata.type !== 'custom') checkInput(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    return super.transform(value, metadata);
  }
}

/** The global pipe: unknown fields are refused, types are transformed, every failure is VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationRules();
  return new InputValidationPipe({
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
