import 'reflect-metadata';
import { checkInventoryInvariants } from '../inventory/invariants.js';
import { createDataSource } from '../database/data-source.js';
import { runCli, withDatabase } from './with-database.js';
/**
 * `npm run invariants`: audits the inventory invariants (DESIGN.md section 9, items 1
 * and 2) on the configured database. Prints one line per violation and exits 1 if there
 * is any, so a cron job or a deploy pipeline can alert on it. Read-only.
 */
runCli(async () => {
    await withDatabase(async (url) => {
        const dataSource = await createDataSource(url, 1, 'holdfast-invariants').initialize();
        try {
            const violations = await dataSource.transaction('REPEATABLE READ', async (manager) => {
                await manager.query('SET TRANSACTION READ ONLY');
                return checkInventoryInvariants(manager);
            });
            for (const v of violations)
                process.stdout.write(`VIOLATION ${v.invariant} ${v.resource}: ${v.detail}\n`);
            if (violations.length > 0)
                throw new Error(`${violations.length} inventory invariant violation(s)`);
            process.stdout.write('inventory invariants hold\n');
        }
        finally {
            await dataSource.destroy();
        }
    });
});
//# sourceMappingURL=invariants.js.map