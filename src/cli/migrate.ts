import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataSource } from '../database/data-source';
import { runCli, withDatabase } from './with-database';

const USAGE = 'usage: migrate run | revert | show | generate <PascalCaseName>';

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
  if (!['run', 'revert', 'show', 'generate'].includes(command ?? '')) throw new Error(USAGE);
  if (command === 'generate' && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) throw new Error(USAGE);

  await withDatabase(async (url) => {
    const dataSource = await createDataSource(url).initialize();
    try {
      if (command === 'run') {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'schema is up to date\n');
      } else if (command === 'revert') {
        await dataSource.undoLastMigration({ transaction: 'each' });
        process.stdout.write('reverted the last migration\n');
      } else if (command === 'show') {
        const pending = await dataSource.showMigrations();
        process.stdout.write(pending ? 'there are pending migrations\n' : 'schema is up to date\n');
      } else {
        await dataSource.runMigrations({ transaction: 'each' });
        const sql = await dataSource.driver.createSchemaBuilder().log();
        if (sql.upQueries.length === 0) {
          process.stdout.write('entities and migrations agree: nothing to generate\n');
          return;
        }
        const file = writeMigration(
          name!,
          sql.upQueries.map((q) => q.query),
          sql.downQueries.reverse().map((q) => q.query),
        );
        process.stdout.write(`wrote migrations/${file}: review it, then run npm run migration:run\n`);
      }
    } finally {
      await dataSource.destroy();
    }
  });
});
