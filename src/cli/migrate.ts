import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../database/data-source';
import { schemaDisagreements } from '../database/schema-agreement';
import { runCli, withDatabase } from './with-database';

const USAGE = 'usage: migrate run | revert | show | wait [seconds] | generate <PascalCaseName>';

/**
 * Held by `migrate run` while it applies migrations. TypeORM takes no lock of its own,
 * and a Kubernetes Job can run a second pod while the first still lives (it promises at
 * least once, not at most once): the second waits here, then finds nothing to apply.
 */
const MIGRATION_LOCK = 'holdfast:migrations';

/** Names of the app's migrations not yet recorded as applied. Read-only (no CREATE TABLE, unlike showMigrations()). */
async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const [{ exists }] = (await dataSource.query(`SELECT to_regclass('migrations') IS NOT NULL AS exists`)) as [
    { exists: boolean },
  ];
  const applied = new Set(
    exists ? ((await dataSource.query('SELECT name FROM migrations')) as { name: string }[]).map((r) => r.name) : [],
  );
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}

/** Writes a migration class with the SQL that brings the schema in line with the entities. */
function writeMigration(name: string, up: string[], down: string[]): string {
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = `${timestamp}-${name}.ts`;
  const q = (sql: string) => `    await queryRunner.query(\`${sql.replace(/`/g, '\\`')}\`);`;
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map(q).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.map(q).join('\n')}
  }
}
`;
  const dir = join(process.cwd(), 'migrations');
  writeFileSync(join(dir, file), source);
  const indexPath = join(dir, 'index.ts');
  const index = readFileSync(indexPath, 'utf8')
    .replace(/(\nexport const migrations = \[)/, `import { ${className} } from './${file.replace(/\.ts$/, '')}';\n$1`)
    .replace(/\];\s*$/, `, ${className}];\n`);
  writeFileSync(indexPath, index);
  return file;
}

runCli(async () => {
  const [command, name] = process.argv.slice(2);
  if (!['run', 'revert', 'show', 'wait', 'generate'].includes(command ?? '')) throw new Error(USAGE);
  if (command === 'generate' && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) throw new Error(USAGE);
  if (command === 'wait' && name !== undefined && !/^\d+$/.test(name)) throw new Error(USAGE);

  await withDatabase(async (url) => {
    const dataSource = await createDataSource(url).initialize();
    try {
      if (command === 'run') {
        const lock = dataSource.createQueryRunner();
        await lock.connect();
        try {
          await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
          const applied = await dataSource.runMigrations({ transaction: 'each' });
          process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'schema is up to date\n');
        } finally {
          // A crash ends the session, which frees the lock too.
          await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
          await lock.release();
        }
      } else if (command === 'wait') {
        // An init container of the app's pods: start only once the migration Job has
        // brought the schema up to date; fail (and be retried) after the timeout.
        const deadline = Date.now() + Number(name ?? 600) * 1000;
        let pending = await pendingMigrations(dataSource);
        while (pending.length > 0) {
          if (Date.now() >= deadline) throw new Error(`migrations still pending: ${pending.join(', ')}`);
          process.stdout.write(`waiting for ${pending.length} pending migration(s)\n`);
          await sleep(Math.min(2_000, Math.max(0, deadline - Date.now())));
          pending = await pendingMigrations(dataSource);
        }
        process.stdout.write('schema is up to date\n');
      } else if (command === 'revert') {
        await dataSource.undoLastMigration({ transaction: 'each' });
        process.stdout.write('reverted the last migration\n');
      } else if (command === 'show') {
        const pending = await dataSource.showMigrations();
        process.stdout.write(pending ? 'there are pending migrations\n' : 'schema is up to date\n');
      } else {
        await dataSource.runMigrations({ transaction: 'each' });
        // Without the columns no entity can declare (they would be dropped).
        const { up, down } = schemaDisagreements(await dataSource.driver.createSchemaBuilder().log());
        if (up.length === 0) {
          process.stdout.write('entities and migrations agree: nothing to generate\n');
          return;
        }
        const file = writeMigration(name!, up, down.reverse());
        process.stdout.write(`wrote migrations/${file}: review it, then run npm run migration:run\n`);
      }
    } finally {
      await dataSource.destroy();
    }
  });
});
