import { ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError, ErrorCode } from './errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
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

/** The global pipe: unknown fields are refused, types are transformed, every failure is VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationRules();
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
