export { startEmbeddedPostgres, findFreePort, type EmbeddedPostgresOptions, type RunningPostgres } from './embedded-postgres';
export { buildDataSourceOptions, type DatabaseSettings } from './data-source-options';
export { withDatabaseName, databaseName, quoteIdent } from './database-names';
export { TransactionHost, Transactional, sqlState } from './transactions';
export { RecurringPass } from './recurring-pass';
export { SqlParams } from './sql-params';
export { equalJitterBackoff, equalJitterGenerator } from './backoff';
