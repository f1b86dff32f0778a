import { IsEmail, IsString, MaxLength, validateSync } from 'class-validator';
import { AppError, ErrorCode } from './errors';
import { checkInput, MAX_INPUT_DEPTH, rememberValidationRules } from './validation';

class Base {
  @IsString()
  @MaxLength(5)
  name!: string;
}

class Child extends Base {
  @IsEmail()
  email!: string;
}

const errorsOf = (o: object) =>
  validateSync(o, { whitelist: true, forbidNonWhitelisted: true })
    .map((e) => e.property)
    .sort();

describe('rememberValidationRules', () => {
  beforeAll(() => rememberValidationRules());

  it('validates as class-validator does, inherited rules included, call after call', () => {
    for (let i = 0; i < 3; i++) {
      expect(errorsOf(Object.assign(new Child(), { name: 'toolongname', email: 'x' }))).toEqual(['email', 'name']);
      expect(errorsOf(Object.assign(new Child(), { name: 'ok', email: 'a@b.cn' }))).toEqual([]);
      expect(errorsOf(Object.assign(new Base(), { name: 'ok', email: 'a@b.cn' }))).toEqual(['email']); // not whitelisted
    }
  });

  it('sees rules added after a lookup (a class defined later, a subclass of a remembered one)', () => {
    expect(errorsOf(Object.assign(new Child(), { name: 'ok', email: 'a@b.cn' }))).toEqual([]);
    class Later extends Child {
      @IsString()
      note!: string;
    }
    expect(errorsOf(Object.assign(new Later(), { name: 'ok', email: 'a@b.cn', note: 3 }))).toEqual(['note']);
    expect(errorsOf(Object.assign(new Child(), { name: 'ok', email: 'a@b.cn', note: 'x' }))).toEqual(['note']);
  });
});

describe('checkInput', () => {
  const refusal = (value: unknown, root = '') => {
    try {
      checkInput(value, root);
      return null;
    } catch (err) {
      return { message: (err as AppError).message, code: (err as AppError).code };
    }
  };

  it('passes ordinary input, Buffers and Dates included', () => {
    expect(refusal({ subject: '打印机', tags: ['a', 'b'], meta: { n: 1, ok: true, none: null } })).toBeNull();
    expect(refusal({ raw: Buffer.from([0, 1, 2]), at: new Date() })).toBeNull();
    expect(refusal('plain')).toBeNull();
  });

  it('refuses a NUL in a string or a key, naming where', () => {
    expect(refusal({ requester: { name: 'a\u0000b' } })).toEqual({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'requester.name: must not contain NUL characters (U+0000)',
    });
    expect(refusal({ tags: ['ok', '\u0000'] })?.message).toBe('tags[1]: must not contain NUL characters (U+0000)');
    expect(refusal({ ['k\u0000']: 1 })?.message).toBe('k\u0000: must not contain NUL characters (U+0000)');
    expect(refusal('\u0000', 'q')?.message).toBe('q: must not contain NUL characters (U+0000)');
    // The query string parser's objects have a bare prototype of their own.
    const query = Object.create(Object.create(null) as object) as Record<string, string>;
    query.q = '\u0000';
    expect(refusal(query)?.message).toBe('q: must not contain NUL characters (U+0000)');
  });

  it('refuses half of a surrogate pair in a string or a key, and passes whole pairs', () => {
    const problem = 'must be valid Unicode text (it holds half of a surrogate pair)';
    expect(refusal({ subject: 'a\ud800' })?.message).toBe(`subject: ${problem}`);
    expect(refusal({ tags: ['\udc00b'] })?.message).toBe(`tags[0]: ${problem}`);
    expect(refusal({ ['k\udbff']: 1 })?.message).toBe(`k\udbff: ${problem}`);
    expect(refusal({ subject: '😀 \ud83d\ude00 中文' })).toBeNull();
  });

  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal({ a: deep })?.message).toBe(
      `a${'[0]'.repeat(MAX_INPUT_DEPTH - 1)} nests objects or arrays more than ${MAX_INPUT_DEPTH} levels deep`,
    );
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) ok = { o: ok };
    expect(refusal({ a: ok })).toBeNull();
  });
});
