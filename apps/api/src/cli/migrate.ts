import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@crewdesk/db';

/** Applies pending migrations, one line per migration. */
export async function migrate(url: string): Promise<void> {
  const ds = new DataSource({ ...dataSourceOptions(url, 2), logging: false });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    if (applied.length) for (const m of applied) console.log(`✔ migration ${m.name}`);
    else console.log('✔ database schema is up to date');
  } finally {
    await ds.destroy();
  }
}
