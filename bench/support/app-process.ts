/**
 * The app under load, as a child process (`node dist/src/main.js` of the same build), so
 * it does not share an event loop with the load generator. It migrates the database on
 * boot; the bench waits for /health/ready. Registered with the bench's cleanups.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../libs/database/src/embedded-postgres';
import { cleanups, note, sleep } from './common';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/bench/support/app-process.js -> dist/src/main.js (the app of the same build). */
const APP_MAIN = resolve(HERE, '../../src/main.js');

/** How the bench starts the app. */
export interface AppSettings {
  /** Extra node flags (BENCH_APP_NODE_OPTIONS). */
  nodeOptions: string[];
  /** The secret the bench signs its dev tokens with. */
  jwtSecret: string;
  /** The app's database pool (DB_POOL_SIZE). */
  poolSize: number;
  /** More environment for the app, over the bench's own settings (e.g. HOLD_SWEEP_INTERVAL_SECONDS). */
  env?: Record<string, string>;
  /** Called with the app's pid as soon as it is spawned, before it is ready (the RSS sampler). */
  onSpawn?: (pid: number | undefined) => void;
}

export interface App {
  port: number;
  pid: number | undefined;
  /** Throws, with the app's last output, when it has exited without being asked to. */
  assertAlive: () => void;
  /** How many lines the app logged at error level or above, and the first five. */
  errorLog: () => { count: number; first: string[] };
  stop: () => Promise<void>;
}

/** The environment the bench runs the app's code with (the app, and a CLI of the same build). */
export function benchAppEnv(databaseUrl: string, settings: Omit<AppSettings, 'nodeOptions' | 'onSpawn'>): NodeJS.ProcessEnv {
  const { jwtSecret, poolSize, env = {} } = settings;
  return {
    ...process.env,
    // Not production: that refuses the dev tokens the bench signs in with (src/config/env.schema.ts).
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    DEMO_CATALOG: 'false',
    AUTH_MODE: 'dev',
    JWT_SECRET: jwtSecret,
    JWT_ISSUER: '',
    JWT_AUDIENCE: '',
    HOLD_TTL_SECONDS: '900',
    DB_POOL_SIZE: String(poolSize),
    MIGRATIONS_RUN: 'true',
    // The bench drives thousands of holds a second from a few users: measure the app, not its limiter.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_HOLD_PER_MINUTE: '0',
    ...env,
  };
}

/** Starts the app on a free port against `databaseUrl` and waits until it is ready (60 s at most). */
export async function startApp(databaseUrl: string, settings: AppSettings): Promise<App> {
  const { nodeOptions, onSpawn } = settings;
  const port = await findFreePort();
  const recent: string[] = [];
  const errorLines: string[] = [];
  let errorCount = 0;
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, APP_MAIN], {
    env: { ...benchAppEnv(databaseUrl, settings), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn?.(child.pid);
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      if (/"level":(50|60)/.test(line)) {
        errorCount++;
        if (errorLines.length < 5) errorLines.push(line.slice(0, 1000));
      }
      recent.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
      if (recent.length > 50) recent.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // BENCH_APP_OUTPUT: a file that gets all the app's output too (e.g. with --trace-gc).
  const copyTo = process.env.BENCH_APP_OUTPUT;
  if (copyTo) {
    const file = createWriteStream(copyTo, { flags: 'a' });
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  let exited: string | undefined;
  let stopping = false;
  const exitPromise = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      if (!stopping) note(`the app exited unexpectedly (${exited}); its last output:\n${recent.join('\n')}`);
      done();
    }),
  );
  const stop = async () => {
    stopping = true;
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exitPromise;
    clearTimeout(timer);
  };
  cleanups.push({ name: 'app', run: stop });

  const deadline = Date.now() + 60_000;
  while (true) {
    if (exited !== undefined) throw new Error(`the app exited (${exited}) before it was ready:\n${recent.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`the app was not ready within 60 s:\n${recent.join('\n')}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const assertAlive = () => {
    if (exited !== undefined) throw new Error(`the app exited during the benchmark (${exited})`);
  };
  return { port, pid: child.pid, assertAlive, errorLog: () => ({ count: errorCount, first: errorLines }), stop };
}
