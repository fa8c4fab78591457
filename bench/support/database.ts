/**
 * A throw-away database for a bench: a fresh `holdfast_bench_<time>` on DATABASE_URL's
 * server, or an embedded PostgreSQL in a temp dir; both undone by the cleanups. (The same
 * steps as bench/holds.ts's own, for the benches written after it.)
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';
import { quoteIdent, withDatabaseName } from '../../libs/database/src/database-names';
import { cleanups, note } from './common';

export interface BenchDatabase {
  url: string;
  serverVersion: string;
  where: string;
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'holdfast-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let where = `DATABASE_URL's server`;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
    chmodSync(dir, 0o755); // as root, Postgres runs as `postgres`, which must reach the data dir
    cleanups.push({ name: 'temp dir', run: () => rmSync(dir, { recursive: true, force: true }) });
    note(`starting embedded PostgreSQL in ${dir}`);
    const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), log: note });
    cleanups.push({ name: 'embedded PostgreSQL', run: () => embedded.stop() });
    serverUrl = embedded.url;
    where = 'embedded PostgreSQL';
  }
  const name = `holdfast_bench_${Date.now()}`;
  const serverVersion = await withClient(serverUrl, async (admin) => {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return ((await admin.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  });
  const adminUrl = serverUrl;
  cleanups.push({
    name: `database ${name}`,
    run: async () => {
      await withClient(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  });
  return { url: withDatabaseName(serverUrl, name), serverVersion, where };
}
