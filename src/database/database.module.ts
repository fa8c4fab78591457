import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions, TransactionHost } from '@holdfast/database';
import { UNAVAILABLE_ERRORS, type UnavailablePredicate } from '@holdfast/errors';
import { migrations } from '../../migrations/index';
import type { DatabaseConfig } from './database.config';
import { DatabaseConnector } from './database-connector';
import { entities } from './entities';

/**
 * The one TypeORM data source of the app, and the transaction host every module uses.
 * The data source is connected (and migrated) by `DatabaseConnector`, not by TypeORM's
 * module: start-up then survives a database that is not there yet (see that class).
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions({ url: config.url, poolSize: config.poolSize, entities, migrations }),
          migrationsRun: config.migrationsRun,
          // Not 'error': TypeORM's console logger prints a failed query's SQL and bound values
          // (guest data) as plain text. The exception filter logs it as JSON, values redacted.
          logging: ['migration'],
          manualInitialization: true,
        }),
      ],
      providers: [
        TransactionHost,
        DatabaseConnector,
        // The exception filter answers these with 503 SERVICE_UNAVAILABLE instead of 500.
        {
          provide: UNAVAILABLE_ERRORS,
          useFactory:
            (connector: DatabaseConnector): UnavailablePredicate =>
            (error) =>
              connector.isUnavailable(error),
          inject: [DatabaseConnector],
        },
      ],
      exports: [TransactionHost, DatabaseConnector, UNAVAILABLE_ERRORS],
    };
  }
}
