import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Name the connections carry in pg_stat_activity. */
  applicationName?: string;
}

/**
 * The one place that turns settings into TypeORM options, shared by the app, the
 * migration CLI and the tests. `synchronize` is off everywhere: the schema changes
 * only through migrations/.
 */
export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Extensions are created by migrations, not at connect time; gen_random_uuid() is core PostgreSQL.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    logging: ['error', 'migration'],
    applicationName: settings.applicationName ?? 'holdfast',
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
    },
  };
}
