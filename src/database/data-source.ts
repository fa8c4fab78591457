import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '@holdfast/database';
import { migrations } from '../../migrations/index';
import { entities } from './entities';

/** A data source for scripts (migration CLI, benchmarks, tests): same entities and migrations as the app. */
export function createDataSource(url: string, poolSize = 4, applicationName = 'holdfast-cli'): DataSource {
  return new DataSource(buildDataSourceOptions({ url, poolSize, entities, migrations, applicationName }));
}
