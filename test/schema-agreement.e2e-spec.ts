import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { UNDECLARABLE_COLUMNS, schemaDisagreements } from '../src/database/schema-agreement';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The entities and the migrations describe the same schema: on a database the migrations
 * built, TypeORM's schema builder proposes nothing, so `npm run migration:generate` never
 * writes a migration that drops what the migrations made (it once would have dropped
 * payments.off_session, chk_payments_purpose and reservations.event_position).
 */
describe('schema: entities and migrations agree', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url, 1, 'holdfast-test-schema').initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('proposes no change but the drops of the columns no entity can declare', async () => {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(schemaDisagreements(sql)).toEqual({ up: [], down: [] });
  });

  it('leaves out only what it names: the undeclarable column exists and the schema builder would drop it', async () => {
    for (const { table, column } of UNDECLARABLE_COLUMNS) {
      const rows = (await dataSource.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`,
        [table, column],
      )) as { data_type: string }[];
      expect(rows).toHaveLength(1);
    }
    const proposed = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
    expect(proposed).toEqual(UNDECLARABLE_COLUMNS.map(({ table, column }) => `ALTER TABLE "${table}" DROP COLUMN "${column}"`));
  });

  it('keeps a real disagreement', () => {
    const sql = {
      upQueries: [
        { query: 'ALTER TABLE "reservations" DROP COLUMN "event_position"' },
        { query: 'ALTER TABLE "payments" DROP COLUMN "off_session"' },
      ],
      downQueries: [
        { query: 'ALTER TABLE "reservations" ADD "event_position" xid8' },
        { query: 'ALTER TABLE "payments" ADD "off_session" boolean NOT NULL DEFAULT false' },
      ],
    };
    expect(schemaDisagreements(sql)).toEqual({
      up: ['ALTER TABLE "payments" DROP COLUMN "off_session"'],
      down: ['ALTER TABLE "payments" ADD "off_session" boolean NOT NULL DEFAULT false'],
    });
  });
});
