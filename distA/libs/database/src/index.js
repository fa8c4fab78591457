export { startEmbeddedPostgres, findFreePort } from './embedded-postgres.js';
export { buildDataSourceOptions } from './data-source-options.js';
export { withDatabaseName, databaseName, quoteIdent } from './database-names.js';
export { TransactionHost, Transactional, sqlState } from './transactions.js';
export { RecurringPass } from './recurring-pass.js';
export { SqlParams } from './sql-params.js';
//# sourceMappingURL=index.js.map