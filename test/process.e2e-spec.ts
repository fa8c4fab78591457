import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { findFreePort } from '@holdfast/database';
import { buildAppInto } from './support/build-app';
import { createTestDatabase } from './support/test-database';
import { spawnApp, type AppProcess, type Exit } from './support/app-process';
import { connectionRefused, waitFor } from './support/wait';

const ROOT = process.cwd(); // jest runs from the repository root
/**
 * The build goes to a directory of its own (same tsconfig and steps as `npm run build`,
 * only the output directory differs), so that another test file rebuilding dist/ at the
 * same moment (`npm run token` does) cannot pull the files from under a running server.
 * It sits inside the repository so that node_modules and package.json ("type": "module")
 * resolve exactly as they do for dist/.
 */
const BUILD_DIR = join(ROOT, '.data', `process-e2e-build-${randomBytes(4).toString('hex')}`);
const MAIN = join(BUILD_DIR, 'src/main.js');
const READY_TIMEOUT_MS = 60_000;

const children: ChildProcess[] = [];
const postmasterPids = new Set<number>();
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // as root, Postgres runs as `postgres`, which must traverse it
  tempDirs.push(dir);
  return dir;
}

/**
 * Starts `node <build>/src/main.js` as `npm start` does, with only PATH and HOME from our
 * environment (no DATABASE_URL, NODE_OPTIONS or developer variables) and from an empty
 * directory, so that no `.env` can add any.
 */
function startApp(env: Record<string, string>): AppProcess {
  const app = spawnApp(MAIN, tempDir('holdfast-cwd-'), env);
  children.push(app.child);
  return app;
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
}

/** Polls GET /health/ready until it answers 200; fails at once, with the output, if the process exits. */
async function waitReady(app: AppProcess): Promise<void> {
  await waitFor(
    'GET /health/ready = 200',
    async () => {
      if (app.hasExited()) {
        throw new Error(`the app exited before it was ready:\n${app.stderr()}\n${app.stdout()}`);
      }
      return get(app.port, '/health/ready').then(
        (res) => res.status === 200,
        () => false,
      );
    },
    READY_TIMEOUT_MS,
  );
}

async function stop(app: AppProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  app.child.kill(signal);
  return app.exited;
}

/** Alive and not a zombie (a reaped-late zombie still answers kill(pid, 0)). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** The running server's pid and port, from the first and fourth lines of postmaster.pid. */
function postmaster(dataDir: string): { pid: number; port: number } | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = { pid: Number(lines[0]), port: Number(lines[3]) };
  postmasterPids.add(found.pid);
  return found;
}

async function withPostgres<T>(port: number, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface HeldRequest {
  /** Settles once the server has read the request line and headers (it sent 100 Continue). */
  started: Promise<void>;
  /** Sends the body and resolves with the response. */
  finish(): Promise<{ status: number; body: string }>;
}

/**
 * POST /v1/dev/token with its body held back: the server answers `100 Continue` as soon
 * as it has the headers, then its body parser waits for the body. So when `started`
 * settles the request is provably in flight inside the app, and it stays there until
 * `finish()` sends the body.
 */
function heldTokenRequest(port: number, sub: string): HeldRequest {
  const body = JSON.stringify({ sub });
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/dev/token',
    agent: false,
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once('error', reject);
    });
  });
  const started = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    response.catch(reject);
  });
  req.flushHeaders();
  return {
    started,
    finish() {
      req.end(body);
      return response;
    },
  };
}

beforeAll(() => {
  buildAppInto(BUILD_DIR);
}, 180_000);

afterAll(async () => {
  // Safety net: nothing this file started may outlive it.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) postmaster(join(dir, 'pg'));
  for (const pid of postmasterPids) {
    if (!isAlive(pid)) continue;
    process.kill(pid, 'SIGINT');
    await waitFor(`postgres ${pid} to stop`, () => !isAlive(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'));
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  rmSync(BUILD_DIR, { recursive: true, force: true });
}, 60_000);

describe('start-up with bad configuration', () => {
  it('exits with code 1, names every bad variable in one message, and starts no Postgres', async () => {
    const dataDir = join(tempDir('holdfast-badcfg-'), 'pg');
    const app = startApp({ PORT: 'abc', AUTH_MODE: 'magic', EMBEDDED_PG_DIR: dataDir });
    const exit = await app.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const stderr = app.stderr();
    expect(stderr).toMatch(/^Invalid configuration \(2 problems\):\n {2}- PORT="abc": .*\n {2}- AUTH_MODE="magic": .*\n$/);
    expect(app.stdout()).not.toContain('embedded PostgreSQL');
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});

describe('start-up with NODE_ENV=production', () => {
  const DEV_JWT_SECRET = 'holdfast-dev-secret-change-me';
  const DEV_WEBHOOK_SECRET = 'whsec_holdfast_dev_secret';
  const LIVE_WEBHOOK_SECRET = 'whsec_live_do_not_print_0123456789';
  const CARRIER_KEY = 'fedex=carrier_key_do_not_print_0123';
  /** Right for production: tokens from a JWKS, real Stripe with its webhook secret. */
  const production = {
    NODE_ENV: 'production',
    AUTH_MODE: 'jwks',
    JWT_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_live_do_not_print_0123456789',
    STRIPE_WEBHOOK_SECRET: LIVE_WEBHOOK_SECRET,
    SMTP_URL: 'smtp://holdfast:do_not_print_0123456789@smtp.example.com:587',
    TAX_API_URL: 'https://api.taxjar.example.com',
    TAX_API_KEY: 'tax_do_not_print_0123456789',
    SHIPPING_PROVIDER: 'http',
    SHIPPING_CARRIERS: 'fedex|https://fedex-rates.example.com/v1',
    SHIPPING_CARRIER_API_KEY: CARRIER_KEY,
    // Never called at start-up: nothing listens there, and the app still starts.
    IMS_MODE: 'http',
    IMS_BASE_URL: 'https://127.0.0.1:9/ims',
    IMS_API_KEY: 'ims_do_not_print_0123456789',
    TELEMATICS_MODE: 'http',
    TELEMATICS_API_URL: 'https://127.0.0.1:9/telematics',
    TELEMATICS_API_KEY: 'telematics_do_not_print_0123456789',
    // Never called at start-up either.
    CUSTOMERS_MODE: 'http',
    CUSTOMER_SERVICE_URL: 'https://127.0.0.1:9/customer-service',
    CUSTOMER_SERVICE_API_KEY: 'cms_do_not_print_0123456789',
    // Not called at start-up either.
    OBJECT_STORE: 's3',
    S3_ENDPOINT: 'https://127.0.0.1:9',
    S3_BUCKET: 'holdfast-photos',
    S3_ACCESS_KEY_ID: 'AKIAHOLDFASTTEST0001',
    S3_SECRET_ACCESS_KEY: 's3_do_not_print_0123456789',
    // The start-up pull of the fleet API fails in the background (nothing listens); the app starts.
    FLEET_API_MODE: 'http',
    FLEET_API_URL: 'https://127.0.0.1:9/fleet',
    FLEET_WEBHOOK_SECRET: 'fleet_do_not_print_0123456789',
  };

  /** Starts the app with `env`, expects exit 1 before any database, and returns its stderr. */
  async function refused(env: Record<string, string>): Promise<string> {
    const dataDir = join(tempDir('holdfast-prodcfg-'), 'pg');
    const app = startApp({ EMBEDDED_PG_DIR: dataDir, ...env });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(existsSync(dataDir)).toBe(false); // refused before it started anything
    const stderr = app.stderr();
    for (const secret of [
      DEV_JWT_SECRET,
      DEV_WEBHOOK_SECRET,
      LIVE_WEBHOOK_SECRET,
      production.STRIPE_SECRET_KEY,
      CARRIER_KEY,
      'do_not_print',
    ]) {
      expect(stderr).not.toContain(secret);
    }
    return stderr;
  }

  it('refuses to start with the development defaults, naming every variable in one message', async () => {
    const stderr = await refused({ NODE_ENV: 'production' });
    expect(stderr).toMatch(/^Invalid configuration \(13 problems\):\n/);
    expect(stderr).toMatch(/^ {2}- FLEET_API_MODE=\(unset\): FLEET_API_MODE=simulated is refused/m);
    expect(stderr).toMatch(/^ {2}- FLEET_WEBHOOK_SECRET=\(unset\): .*required/m);
    expect(stderr).toMatch(/^ {2}- AUTH_MODE=\(unset\): AUTH_MODE=dev is refused with NODE_ENV=production/m);
    expect(stderr).toMatch(/^ {2}- JWT_SECRET=\(unset\): .*development value/m);
    expect(stderr).toMatch(/^ {2}- PAYMENT_PROVIDER=\(unset\): PAYMENT_PROVIDER=simulated is refused/m);
    expect(stderr).toMatch(/^ {2}- STRIPE_WEBHOOK_SECRET=\(unset\): .*required/m);
    expect(stderr).toMatch(/^ {2}- SMTP_URL=\(unset\): SMTP_URL is required with NODE_ENV=production/m);
    expect(stderr).toMatch(/^ {2}- TAX_API_URL=\(unset\): the simulated tax provider is refused/m);
    expect(stderr).toMatch(/^ {2}- SHIPPING_PROVIDER=\(unset\): SHIPPING_PROVIDER=simulated is refused/m);
    expect(stderr).toMatch(/^ {2}- IMS_MODE=\(unset\): IMS_MODE=simulated is refused with NODE_ENV=production/m);
    expect(stderr).toMatch(/^ {2}- TELEMATICS_MODE=\(unset\): TELEMATICS_MODE=simulated is refused/m);
    expect(stderr).toMatch(/^ {2}- CUSTOMERS_MODE=\(unset\): CUSTOMERS_MODE=simulated is refused with NODE_ENV=production/m);
    expect(stderr).toMatch(/^ {2}- OBJECT_STORE=\(unset\): OBJECT_STORE=local is refused with NODE_ENV=production/m);
  }, 30_000);

  it.each([
    ['AUTH_MODE=dev', { AUTH_MODE: 'dev', JWT_SECRET: 'a-long-random-production-secret-0123' }, ['AUTH_MODE']],
    ['the development JWT_SECRET', { AUTH_MODE: 'dev', JWT_SECRET: DEV_JWT_SECRET }, ['AUTH_MODE', 'JWT_SECRET']],
    ['the development STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET: DEV_WEBHOOK_SECRET }, ['STRIPE_WEBHOOK_SECRET']],
    [
      'a STRIPE_WEBHOOK_SECRET list holding the development one',
      { STRIPE_WEBHOOK_SECRET: `${LIVE_WEBHOOK_SECRET},${DEV_WEBHOOK_SECRET}` },
      ['STRIPE_WEBHOOK_SECRET'],
    ],
    ['PAYMENT_PROVIDER=stripe without a webhook secret', { STRIPE_WEBHOOK_SECRET: '' }, ['STRIPE_WEBHOOK_SECRET']],
    ['PAYMENT_PROVIDER=simulated', { PAYMENT_PROVIDER: 'simulated', STRIPE_SECRET_KEY: '' }, ['PAYMENT_PROVIDER']],
    ['no SMTP_URL (email would only reach the dev outbox)', { SMTP_URL: '' }, ['SMTP_URL']],
    ['the simulated tax provider', { TAX_API_URL: '', TAX_API_KEY: '' }, ['TAX_API_URL']],
    [
      'SHIPPING_PROVIDER=simulated',
      { SHIPPING_PROVIDER: 'simulated', SHIPPING_CARRIERS: '', SHIPPING_CARRIER_API_KEY: '' },
      ['SHIPPING_PROVIDER'],
    ],
    ['IMS_MODE=simulated (invented stock)', { IMS_MODE: 'simulated', IMS_BASE_URL: '', IMS_API_KEY: '' }, ['IMS_MODE']],
    ['IMS_MODE=http without an API key', { IMS_API_KEY: '' }, ['IMS_API_KEY']],
    ['an http:// IMS (the key would travel in clear)', { IMS_BASE_URL: 'http://ims.example.com' }, ['IMS_BASE_URL']],
    ['TELEMATICS_MODE=simulated (no real car opens)', { TELEMATICS_MODE: 'simulated' }, ['TELEMATICS_MODE']],
    ['TELEMATICS_MODE=http without an API key', { TELEMATICS_API_KEY: '' }, ['TELEMATICS_API_KEY']],
    [
      'CUSTOMERS_MODE=simulated (it verifies everyone)',
      { CUSTOMERS_MODE: 'simulated', CUSTOMER_SERVICE_URL: '', CUSTOMER_SERVICE_API_KEY: '' },
      ['CUSTOMERS_MODE'],
    ],
    ['CUSTOMERS_MODE=http without an API key', { CUSTOMER_SERVICE_API_KEY: '' }, ['CUSTOMER_SERVICE_API_KEY']],
    [
      'an http:// customer service (the key would travel in clear)',
      { CUSTOMER_SERVICE_URL: 'http://customers.example.com' },
      ['CUSTOMER_SERVICE_URL'],
    ],
    ['OBJECT_STORE=local (unencrypted photos on one pod)', { OBJECT_STORE: 'local' }, ['OBJECT_STORE']],
    ['FLEET_API_MODE=simulated (invented vehicles)', { FLEET_API_MODE: 'simulated', FLEET_API_URL: '' }, ['FLEET_API_MODE']],
    ['the development FLEET_WEBHOOK_SECRET', { FLEET_WEBHOOK_SECRET: 'fleet_holdfast_dev_secret' }, ['FLEET_WEBHOOK_SECRET']],
    ['an http:// S3 endpoint (photos in clear)', { S3_ENDPOINT: 'http://minio.example.com:9000' }, ['S3_ENDPOINT']],
    ['OBJECT_STORE=s3 without a bucket', { S3_BUCKET: '' }, ['S3_BUCKET']],
  ])(
    'refuses %s',
    async (_what, change: Record<string, string>, named: string[]) => {
      const stderr = await refused({ ...production, ...change });
      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(`Invalid configuration (${named.length} problem${named.length > 1 ? 's' : ''}):`);
      expect(lines.slice(1).map((line) => /^ {2}- ([A-Z0-9_]+)=/.exec(line)?.[1])).toEqual(named);
    },
    30_000,
  );

  it('starts with a correct production configuration and serves no dev token route', async () => {
    const db = await createTestDatabase();
    try {
      const app = startApp({
        ...production,
        DATABASE_URL: db.url,
        STRIPE_API_BASE: 'http://127.0.0.1:9',
        PORT: String(await findFreePort()),
      });
      await waitReady(app);
      const res = await fetch(`http://127.0.0.1:${app.port}/v1/dev/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"sub":"x"}',
      });
      expect(res.status).toBe(404);
      expect(await stop(app)).toEqual({ code: 0, signal: null });
    } finally {
      await db.drop();
    }
  }, 90_000);
});

describe('npm start without DATABASE_URL (embedded PostgreSQL)', () => {
  let dataDir: string;
  let pgVersion: { ino: number; mtimeMs: number };

  beforeAll(() => {
    dataDir = join(tempDir('holdfast-embedded-'), 'pg');
  });

  async function env(): Promise<Record<string, string>> {
    return { EMBEDDED_PG_DIR: dataDir, PORT: String(await findFreePort()), LOG_LEVEL: 'warn' };
  }

  it('initialises a data dir, becomes ready, serves Swagger, and on SIGTERM exits 0 with Postgres stopped', async () => {
    const app = startApp(await env());
    await waitReady(app);
    expect(app.stdout()).toContain('embedded Postgres: initialised');

    const docs = await get(app.port, '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const json = await get(app.port, '/docs-json');
    expect(json.status).toBe(200);
    const document = JSON.parse(json.text) as { openapi: string; components: { securitySchemes: Record<string, unknown> } };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.values(document.components.securitySchemes)).toContainEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );

    const server = postmaster(dataDir)!;
    expect(isAlive(server.pid)).toBe(true);
    await withPostgres(server.port, async (client) => {
      await client.query('CREATE TABLE process_e2e_marker (id int)');
      const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM migrations');
      expect(Number(rows[0].count)).toBeGreaterThan(0); // the app ran its migrations on it
    });
    const stat = statSync(join(dataDir, 'PG_VERSION'));
    pgVersion = { ino: stat.ino, mtimeMs: stat.mtimeMs };

    expect(await stop(app)).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('"msg":"stopped"');
    await waitFor('postgres to be gone', () => !isAlive(server.pid), 5_000);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    // Boot, initdb, migrations and shutdown logged nothing but JSON lines.
    const lines = app
      .stdout()
      .split('\n')
      .filter((line) => line !== '');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(app.stderr()).toBe('');
  }, 90_000);

  it('reuses the data dir on the next start, without initialising it again', async () => {
    const app = startApp(await env());
    await waitReady(app);
    expect(app.stdout()).not.toContain('initialised');
    const stat = statSync(join(dataDir, 'PG_VERSION'));
    expect({ ino: stat.ino, mtimeMs: stat.mtimeMs }).toEqual(pgVersion);
    const server = postmaster(dataDir)!;
    await withPostgres(server.port, async (client) => {
      const { rows } = await client.query<{ marker: string | null }>(`SELECT to_regclass('process_e2e_marker')::text AS marker`);
      expect(rows[0].marker).toBe('process_e2e_marker');
    });
    expect(await stop(app)).toEqual({ code: 0, signal: null });
    await waitFor('postgres to be gone', () => !isAlive(server.pid), 5_000);
  }, 90_000);

  it('recovers when the last run died by SIGKILL and left its Postgres running', async () => {
    const killed = startApp(await env());
    await waitReady(killed);
    const stale = postmaster(dataDir)!;
    expect(await stop(killed, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(stale.pid)).toBe(true); // the premise: Postgres outlives a SIGKILLed Node

    const app = startApp(await env());
    await waitReady(app);
    expect(app.stdout()).toContain(`stopping a server left running from an earlier run (pid ${stale.pid})`);
    expect(isAlive(stale.pid)).toBe(false);
    const server = postmaster(dataDir)!;
    expect(server.pid).not.toBe(stale.pid);
    expect(isAlive(server.pid)).toBe(true);

    expect(await stop(app)).toEqual({ code: 0, signal: null });
    await waitFor('postgres to be gone', () => !isAlive(server.pid), 5_000);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('on SIGTERM stops listening, lets the 20 requests in flight finish, then exits 0 and stops Postgres', async () => {
    const app = startApp(await env());
    await waitReady(app);
    const server = postmaster(dataDir)!;

    const subs = Array.from({ length: 20 }, (_, i) => `drain-${i}`);
    const requests = subs.map((sub) => heldTokenRequest(app.port, sub));
    await Promise.all(requests.map((r) => r.started)); // all 20 are inside the app now
    app.child.kill('SIGTERM');
    await waitFor('the drain to begin', () => app.stdout().includes('SIGTERM received: draining'), 10_000);
    await waitFor('the server to stop listening', () => connectionRefused(app.port), 10_000);
    expect(app.hasExited()).toBe(false); // it is waiting for the requests in flight
    expect(isAlive(server.pid)).toBe(true); // and its database is still there for them

    const responses = await Promise.all(requests.map((r) => r.finish()));
    responses.forEach((res, i) => {
      expect(res.status).toBe(200);
      const { accessToken } = JSON.parse(res.body) as { accessToken: string };
      expect(jwt.decode(accessToken)).toMatchObject({ sub: subs[i] });
    });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('"msg":"stopped"');
    await waitFor('postgres to be gone', () => !isAlive(server.pid), 5_000);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 90_000);
});
