import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { findFreePort } from '@holdfast/database';
import { mintDevToken } from '../src/auth/dev-token.service';
import { createDataSource } from '../src/database/data-source';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { buildAppInto } from './support/build-app';
import { spawnApp, type AppProcess } from './support/app-process';
import { connectionRefused, waitFor as waitUntil, type Check } from './support/wait';

/*
 * Graceful shutdown of the real process (`node <build>/src/main.js`) on a database of
 * this file's own, and the server timeouts it configures. The drain of requests that do
 * not touch the database, with the embedded PostgreSQL, is in process.e2e-spec.ts.
 */

const ROOT = process.cwd(); // jest runs from the repository root
/** A build of our own (as process.e2e-spec.ts explains): another file may be rebuilding dist/. */
const BUILD_DIR = join(ROOT, '.data', `shutdown-e2e-build-${randomBytes(4).toString('hex')}`);
const JWT_SECRET = 'shutdown-e2e-secret-0123456789';
/** The pool's connections carry this name (buildDataSourceOptions' default). */
const APP_NAME = 'holdfast';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const children: ChildProcess[] = [];
const agents: Agent[] = [];
let cwd: string;
let db: TestDatabase;
let seed: DataSource;
let observer: pg.Client;

/** Polls every 50 ms: the drain steps it watches are short. */
const waitFor = (what: string, check: Check, timeoutMs = 15_000) => waitUntil(what, check, timeoutMs, 50);

/** The built app, with only PATH and HOME from our environment, in an empty directory (no .env). */
function startApp(env: Record<string, string>): AppProcess {
  const app = spawnApp(join(BUILD_DIR, 'src/main.js'), cwd, env);
  children.push(app.child);
  return app;
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

/**
 * Sends a request and returns its reply and the socket it went over. With `holdBody`
 * the headers go out with `Expect: 100-continue` and the body waits for `release()`: once
 * `started` settles, the server has the request (it answered 100 Continue) and the app's
 * body parser is waiting inside it.
 */
function send(
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: unknown; agent?: Agent; holdBody?: boolean },
) {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string | number> = { ...options.headers };
  if (body !== undefined)
    Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  if (options.holdBody) headers.Expect = '100-continue';
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: options.method,
    path: options.path,
    headers,
    agent: options.agent ?? false,
  });
  let settled = false;
  const reply = new Promise<Reply>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.once('error', reject);
    });
  }).finally(() => (settled = true));
  const socket = new Promise<Socket>((resolve) => req.once('socket', resolve));
  const started = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    reply.catch(reject);
  });
  started.catch(() => undefined); // only awaited with holdBody; the reply reports the error
  if (options.holdBody) req.flushHeaders();
  else req.end(body);
  return { reply, socket, started, settled: () => settled, release: () => req.end(body) };
}

/** The app's connections to this file's database, and how many of them wait on a lock. */
async function appConnections(): Promise<{ total: number; waitingOnLock: number }> {
  const { rows } = await observer.query<{ total: number; waiting: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
       FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
    [db.name, APP_NAME],
  );
  return { total: rows[0].total, waitingOnLock: rows[0].waiting };
}

/**
 * Sessions of this database that ended because the client vanished without saying
 * goodbye (PostgreSQL >= 14): a process that exits with its pool still open leaves one
 * per connection; a pool that was closed leaves none.
 */
async function abandonedSessions(): Promise<number> {
  const { rows } = await observer.query<{ n: string }>(
    'SELECT sessions_abandoned AS n FROM pg_stat_database WHERE datname = $1',
    [db.name],
  );
  return Number(rows[0].n);
}

beforeAll(async () => {
  buildAppInto(BUILD_DIR);
  cwd = mkdtempSync(join(tmpdir(), 'holdfast-shutdown-'));
  chmodSync(cwd, 0o755);
  db = await createTestDatabase();
  seed = await createDataSource(db.url, 1, 'holdfast-test-seed').initialize();
  observer = new pg.Client({ connectionString: db.url, application_name: 'holdfast-test-observer' });
  await observer.connect();
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const agent of agents) agent.destroy();
  await observer?.end();
  await seed?.destroy();
  await db?.drop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  rmSync(BUILD_DIR, { recursive: true, force: true });
}, 60_000);

describe('the running process on PostgreSQL (DATABASE_URL)', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = startApp({
      DATABASE_URL: db.url,
      PORT: String(await findFreePort()),
      LOG_LEVEL: 'warn',
      JWT_SECRET,
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '15000', // the held readiness probe below waits for its body
      // Far above the keep-alive timeout (65 s by default), so that a keep-alive connection
      // holding the drain open would end in a forced exit with code 1.
      SHUTDOWN_TIMEOUT_MS: '20000',
      // No background pass may start during the test: shutdown should meet none running.
      HOLD_SWEEP_INTERVAL_SECONDS: '3600',
      RECONCILE_AFTER_SECONDS: '86400',
    });
    await waitFor(
      'GET /health/ready = 200',
      async () => {
        if (app.hasExited()) throw new Error(`the app exited before it was ready:\n${app.stderr()}\n${app.stdout()}`);
        return send(app.port, { method: 'GET', path: '/health/ready' }).reply.then(
          (res) => res.status === 200,
          () => false,
        );
      },
      60_000,
    );
  }, 90_000);

  it('answers 408 and closes the connection when a client sends its headers too slowly (HTTP_HEADERS_TIMEOUT_MS)', async () => {
    const socket = connect(app.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: '); // and never the rest
    await waitFor('the server to close the connection', () => socket.destroyed, 10_000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('on SIGTERM stops listening, closes idle keep-alive connections, answers readiness 503, lets a hold that is waiting in the database finish with 200, then closes the pool and exits 0', async () => {
    const offering = await createOffering(seed, { kind: 'experience' });
    const slot = await createSlot(seed, offering.id, { capacity: 10 });
    const token = mintDevToken(JWT_SECRET, { sub: 'shutdown-e2e-guest' }, 3600);
    const abandonedBefore = await abandonedSessions();

    // A keep-alive connection that is idle when SIGTERM comes.
    const idleAgent = keepAliveAgent();
    const live = send(app.port, { method: 'GET', path: '/health/live', agent: idleAgent });
    expect((await live.reply).status).toBe(200);
    const idleSocket = await live.socket;
    expect(idleSocket.destroyed).toBe(false);

    // A readiness probe in flight: the server has its headers, its body comes after SIGTERM.
    const probe = send(app.port, { method: 'GET', path: '/health/ready', body: {}, holdBody: true });
    await probe.started;

    // A hold that is inside PostgreSQL at SIGTERM: our transaction holds the slot's row
    // lock, so the app's UPDATE of the slot waits for it.
    const locker = new pg.Client({ connectionString: db.url, application_name: 'holdfast-test-locker' });
    await locker.connect();
    let hold: ReturnType<typeof send>;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM time_slots WHERE id = $1 FOR UPDATE', [slot.id]);
      hold = send(app.port, {
        method: 'POST',
        path: '/v1/reservations/hold',
        agent: keepAliveAgent(),
        headers: { Authorization: `Bearer ${token}`, 'X-Idempotency-Key': randomUUID() },
        body: {
          experienceId: offering.id,
          timeSlotId: slot.id,
          numberOfGuests: 2,
          guestName: 'Ada Shutdown',
          guestEmail: 'ada@example.com',
        },
      });
      await waitFor('the hold to wait on the row lock in PostgreSQL', async () => (await appConnections()).waitingOnLock === 1);

      app.child.kill('SIGTERM');
      await waitFor('the drain to begin', () => app.stdout().includes('SIGTERM received: draining'));
      // A request that comes now finds no server: the port is closed...
      await waitFor('new connections to be refused', () => connectionRefused(app.port));
      // ...and the idle keep-alive connection is gone, so it cannot hold the shutdown open.
      await waitFor('the idle keep-alive connection to be closed', () => idleSocket.destroyed);
      expect(app.hasExited()).toBe(false);
      expect(hold.settled()).toBe(false);
      expect((await appConnections()).waitingOnLock).toBe(1); // still in the database, pool open

      probe.release();
      const ready = await probe.reply;
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'shutting_down' });

      await locker.query('COMMIT'); // the hold goes on
    } finally {
      await locker.end();
    }

    const held = await hold.reply;
    expect(held.status).toBe(200);
    expect(held.headers.connection).toBe('close'); // its keep-alive connection ends with it
    const { reservation } = JSON.parse(held.body) as { reservation: { id: string; status: string } };
    expect(reservation.status).toBe('held');
    await waitFor('its connection to close', async () => (await hold.socket).destroyed, 5_000);

    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('"msg":"stopped"');
    expect(app.stdout()).not.toContain('shutdown took longer');

    // The hold committed, and the pool was closed (each connection said goodbye) before the exit.
    const [row] = (await seed.query('SELECT status FROM reservations WHERE id = $1', [reservation.id])) as { status: string }[];
    expect(row.status).toBe('held');
    const [counters] = (await seed.query('SELECT held FROM time_slots WHERE id = $1', [slot.id])) as { held: number }[];
    expect(counters.held).toBe(2);
    await waitFor('the app to have no connection left', async () => (await appConnections()).total === 0, 5_000);
    expect((await abandonedSessions()) - abandonedBefore).toBe(0);
    expect(app.stderr()).toBe('');
  }, 90_000);
});
