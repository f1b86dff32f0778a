import { readdirSync } from 'fs';
import { MIGRATIONS } from './index';

describe('migrations/index.ts', () => {
  it('lists every migration file, in timestamp order', () => {
    const files = readdirSync(__dirname)
      .filter((f) => /^\d{13}-\w+\.ts$/.test(f))
      .sort();
    const listed = MIGRATIONS.map((m) => m.name);
    expect(listed).toEqual(
      files.map((f) => {
        const [ts, name] = f.replace('.ts', '').split('-');
        return `${name}${ts}`;
      }),
    );
  });
});
