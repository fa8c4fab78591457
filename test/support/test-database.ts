import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseName, quoteIdent, withDatabaseName } from '@holdfast/database';
import { createDataSource } from '../../src/database/data-source';

// Set by test/setup/global-setup.mjs.
const ADMIN_URL_VAR = 'HOLDFAST_TEST_ADMIN_URL';
const RUN_ID_VAR = 'HOLDFAST_TEST_RUN_ID';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Refuses to touch a database whose name does not say it is for tests. */
export function assertTestDatabase(url: string): void {
  const name = databaseName(url);
  if (!/test/i.test(name)) throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
}

function runId(): string {
  const id = process.env[RUN_ID_VAR];
  if (!id) throw new Error(`${RUN_ID_VAR} is not set: run the tests through npm test (jest's global setup)`);
  return id;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env[ADMIN_URL_VAR] });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The run's template database, created and migrated by whichever test file asks first
 * (an advisory lock makes the others wait), with the app's own migrations.
 */
async function ensureTemplate(client: pg.Client): Promise<string> {
  const template = `holdfast_test_template_${runId()}`;
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdent(template)}`);
      const dataSource = await createDataSource(
        withDatabaseName(process.env[ADMIN_URL_VAR]!, template),
        1,
        'holdfast-test-template',
      ).initialize();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await dataSource.destroy();
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
  return template;
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template
 * (milliseconds). `empty: true` gives a database with no schema (for migration tests).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `holdfast_test_${runId()}_${randomBytes(4).toString('hex')}`;
  await admin(async (client) => {
    const template = options.empty ? 'template0' : await ensureTemplate(client);
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
        return;
      } catch (error) {
        // Another file is cloning the template at this instant: wait and try again.
        if (attempt < 50 && /being accessed by other users/.test((error as Error).message)) {
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
          continue;
        }
        throw error;
      }
    }
  });
  const url = withDatabaseName(process.env[ADMIN_URL_VAR]!, name);
  assertTestDatabase(url);
  return {
    url,
    name,
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`))),
  };
}
