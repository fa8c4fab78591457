import { startEmbeddedPostgres } from '@holdfast/database';
import { loadDotEnv, validateEnv } from '../config/env.schema';
import type { EnvironmentVariables } from '../config/env.schema';

/**
 * Runs a command-line task against the configured database: DATABASE_URL, or the
 * embedded server in EMBEDDED_PG_DIR (started for the task and stopped after), so
 * the CLIs work on a fresh machine just like `npm start`.
 */
export async function withDatabase<T>(task: (url: string, env: EnvironmentVariables) => Promise<T>): Promise<T> {
  loadDotEnv();
  const env = validateEnv(process.env);
  if (env.DATABASE_URL) return task(env.DATABASE_URL, env);
  const embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_PG_DIR, log: (m) => process.stderr.write(`${m}\n`) });
  try {
    return await task(embedded.url, env);
  } finally {
    await embedded.stop();
  }
}

/** Runs a CLI's main and exits with 0, or 1 after printing the error. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
