// After the run: stop the embedded server (its data dir goes with it), or, on a
// shared server named by DATABASE_URL, drop every database this run created.
import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const embedded = globalThis.__HOLDFAST_TEST_PG__;
  if (embedded) {
    await embedded.server.stop();
    rmSync(embedded.root, { recursive: true, force: true });
    return;
  }
  const adminUrl = process.env.HOLDFAST_TEST_ADMIN_URL;
  const runId = process.env.HOLDFAST_TEST_RUN_ID;
  if (!adminUrl || !runId) return;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`holdfast_test_%${runId}%`]);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
