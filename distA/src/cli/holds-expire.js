import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createAppConfig } from '../config/app-config.js';
import { DatabaseConnector } from '../database/database-connector.js';
import { HoldExpiryJob } from '../reservations/hold-expiry.job.js';
import { runCli, withDatabase } from './with-database.js';
/**
 * `npm run holds:expire`: runs the hold expiry sweep once and exits, for an external
 * cron (e.g. a Kubernetes CronJob). Safe next to running app replicas.
 */
runCli(async () => {
    await withDatabase(async (url, env) => {
        const config = createAppConfig({ ...env, LOG_LEVEL: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL }, url, !env.DATABASE_URL);
        const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
        try {
            // The app starts without an unreachable database (and keeps trying); a one-off task must not.
            if (!app.get(DatabaseConnector).connected)
                throw new Error('the database is unreachable (see the log above)');
            const expired = await app.get(HoldExpiryJob).sweep();
            process.stdout.write(`expired ${expired} holds\n`);
        }
        finally {
            await app.close();
        }
    });
});
//# sourceMappingURL=holds-expire.js.map