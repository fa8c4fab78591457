import { startEmbeddedPostgres } from '../../libs/database/src/index.js';
import { loadDotEnv, validateEnv } from '../config/env.schema.js';
/**
 * Runs a command-line task against the configured database: DATABASE_URL, or the
 * embedded server in EMBEDDED_PG_DIR (started for the task and stopped after), so
 * the CLIs work on a fresh machine just like `npm start`.
 */
export async function withDatabase(task) {
    loadDotEnv();
    const env = validateEnv(process.env);
    if (env.DATABASE_URL)
        return task(env.DATABASE_URL, env);
    const embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_PG_DIR, log: (m) => process.stderr.write(`${m}\n`) });
    try {
        return await task(embedded.url, env);
    }
    finally {
        await embedded.stop();
    }
}
/** Runs a CLI's main and exits with 0, or 1 after printing the error. */
export function runCli(main) {
    main().then(() => process.exit(0), (error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}
//# sourceMappingURL=with-database.js.map