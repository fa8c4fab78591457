import pg from 'pg';

/**
 * Counts the SQL statements the app sends through node-postgres (TypeORM's and
 * TransactionHost's alike) while `fn` runs, keeping those whose text matches `tables`
 * (the pg-boss schema's are never kept: its workers poll on their own). Background work
 * of the app that reads the same tables in that window would count too: keep the window
 * short, and compare counts rather than pin them.
 */
export async function countStatements<T>(tables: RegExp, fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    if (tables.test(text) && !text.includes('pgboss')) statements.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    return { result: await fn(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}
