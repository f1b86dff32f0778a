// Data source for the TypeORM CLI (`npm run db:migrate`, `db:migration:generate`, `db:revert`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnv } from '../../config/src/env.schema';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadEnv().DATABASE_URL, 2));
