/**
 * The one place that turns settings into TypeORM options, shared by the app, the
 * migration CLI and the tests. `synchronize` is off everywhere: the schema changes
 * only through migrations/.
 */
export function buildDataSourceOptions(settings) {
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
//# sourceMappingURL=data-source-options.js.map