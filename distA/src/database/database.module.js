var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var DatabaseModule_1;
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions, TransactionHost } from '../../libs/database/src/index.js';
import { migrations } from '../../migrations/index.js';
import { DatabaseConnector } from './database-connector.js';
import { entities } from './entities.js';
/**
 * The one TypeORM data source of the app, and the transaction host every module uses.
 * The data source is connected (and migrated) by `DatabaseConnector`, not by TypeORM's
 * module: start-up then survives a database that is not there yet (see that class).
 */
let DatabaseModule = DatabaseModule_1 = class DatabaseModule {
    static forRoot(config) {
        return {
            module: DatabaseModule_1,
            imports: [
                TypeOrmModule.forRoot({
                    ...buildDataSourceOptions({ url: config.databaseUrl, poolSize: config.DB_POOL_SIZE, entities, migrations }),
                    migrationsRun: config.MIGRATIONS_RUN,
                    // Not 'error': TypeORM's console logger prints a failed query's SQL and bound values
                    // (guest data) as plain text. The exception filter logs it as JSON, values redacted.
                    logging: ['migration'],
                    manualInitialization: true,
                }),
            ],
            providers: [TransactionHost, DatabaseConnector],
            exports: [TransactionHost, DatabaseConnector],
        };
    }
};
DatabaseModule = DatabaseModule_1 = __decorate([
    Global(),
    Module({})
], DatabaseModule);
export { DatabaseModule };
//# sourceMappingURL=database.module.js.map