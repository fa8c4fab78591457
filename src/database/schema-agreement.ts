/**
 * Columns the migrations create that no entity can declare, so TypeORM's schema builder
 * (and `npm run migration:generate`) would drop them: `reservations.event_position` is an
 * `xid8` (the outbox's commit-order position, docs/events.md), a type TypeORM does not
 * know. Only raw SQL reads and writes it.
 */
export const UNDECLARABLE_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'reservations', column: 'event_position' },
];

/** Whether a query TypeORM's schema builder proposes only drops or re-adds one of UNDECLARABLE_COLUMNS. */
function touchesUndeclarable(query: string): boolean {
  return UNDECLARABLE_COLUMNS.some(({ table, column }) =>
    new RegExp(`^ALTER TABLE "${table}" (DROP COLUMN "${column}"|ADD "${column}" )`).test(query),
  );
}

/**
 * The schema changes TypeORM's schema builder proposes (`createSchemaBuilder().log()`)
 * that are real disagreements between the entities and the migrations: all of them but
 * the drops and re-adds of UNDECLARABLE_COLUMNS. Empty when they agree.
 */
export function schemaDisagreements(sql: { upQueries: { query: string }[]; downQueries: { query: string }[] }): {
  up: string[];
  down: string[];
} {
  return {
    up: sql.upQueries.map((q) => q.query).filter((q) => !touchesUndeclarable(q)),
    down: sql.downQueries.map((q) => q.query).filter((q) => !touchesUndeclarable(q)),
  };
}
