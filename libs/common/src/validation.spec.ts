import { IsEmail, IsString, MaxLength, validateSync } from 'class-validator';
import { rememberValidationRules } from './validation';

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
