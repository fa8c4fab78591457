import 'reflect-metadata';
import { startEmbeddedPostgres, type RunningPostgres } from '@holdfast/database';
import { createApp } from './app.setup';
import { createAppConfig } from './config/app-config';
import { loadDotEnv, validateEnv } from './config/env.schema';
import { boundHeapGrowth } from './heap';
import { configureHttpServer, type HttpDrain } from './http-server';

function log(message: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), context: 'Bootstrap', msg: message })}\n`);
}

async function bootstrap(): Promise<void> {
  boundHeapGrowth();
  let env;
  try {
    loadDotEnv();
    env = validateEnv(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }

  let embedded: RunningPostgres | undefined;
  if (!env.DATABASE_URL) {
    log('DATABASE_URL is not set: starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_PG_DIR, log });
  }
  const config = createAppConfig(env, env.DATABASE_URL ?? embedded!.url, embedded !== undefined);

  const started: { app?: Awaited<ReturnType<typeof createApp>>; http?: HttpDrain } = {};
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    // Synchronously, first: stop taking connections and close the idle keep-alive ones;
    // requests in flight go on, and their connections close after the response.
    started.http?.begin();
    log(`${signal} received: draining in-flight requests`);
    setTimeout(() => {
      log(`shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    // app.close() stops the jobs (waiting for a pass in progress), turns readiness to 503,
    // waits for the last request in flight and closes the pool; only then can the database go.
    await started.app?.close().catch((error: unknown) => log(`error while closing: ${String(error)}`));
    await embedded?.stop();
    log('stopped');
    process.exit(0);
  };
  // Installed before start-up, so a signal during migrations still stops the embedded server.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, (s) => void shutdown(s));

  const app = await createApp(config).catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  started.app = app;
  started.http = configureHttpServer(app.getHttpServer(), config);
  if (shuttingDown) return;
  // listen() runs the start-up hooks, the first database connection and the migrations among them.
  await app.listen(config.PORT, '0.0.0.0').catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  log(`Holdfast listening on http://localhost:${config.PORT} (Swagger UI at http://localhost:${config.PORT}/docs)`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Holdfast failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
