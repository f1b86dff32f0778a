import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../../migrations';
import { turnCorkedStream } from './turn-corked-socket';

/** The one PostgreSQL configuration: schema changes only through migrations, never `synchronize`. */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logging: false,
    // `pipeline`: queries a caller issues together on one connection go out without waiting for each other's answers
    // (the mail ingest's batch writes); one at a time, as nearly everything runs, nothing changes. `stream`: what a
    // connection writes in one turn of the event loop leaves in one system call.
    extra: { max: poolSize, application_name: 'crewdesk', pipeline: true, stream: turnCorkedStream },
  };
}
