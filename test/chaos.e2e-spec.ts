import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import Stripe from 'stripe';
import { findFreePort, startEmbeddedPostgres, type RunningPostgres } from '@holdfast/database';
import { DEMO_OFFERINGS } from '../src/demo/demo-catalog';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot } from './factories/inventory.factory';
import type { FakeStripe } from './support/fake-stripe/index';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createStripeTestApp } from './support/stripe-app';
import type { TestApp } from './support/test-app';
import { buildAppInto } from './support/build-app';
import { intentOf } from './support/stripe-helpers';
import { waitFor } from './support/wait';

/*
 * Seed 003's chaos list: what a client of Holdfast sees when Stripe or PostgreSQL
 * misbehaves, and that nothing is lost or doubled on the way. Every test's name says what
 * the client sees; docs/operations.md ("Chaos: what the client sees") sums them up.
 */

const WEBHOOK_SECRET = 'whsec_chaos_spec';
const CREATE = 'POST /v1/payment_intents';
/** Far below the 10 s default, so a Stripe that never answers costs the test about 2 s. */
const STRIPE_TIMEOUT_MS = 400;
/** No request in this file may take longer: a hang fails the test instead of stalling it. */
const REQUEST_TIMEOUT_MS = 15_000;
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

/** The error envelope of every failed request (DESIGN.md section 6). */
const envelope = (code: string) => ({ error: code, message: expect.any(String), requestId: expect.any(String) });

describe('chaos, in process: Stripe (fake server) and PostgreSQL misbehave under a running app', () => {
  let fake: FakeStripe;
  let t: TestApp;
  /** Stripe.js on the phone: confirms intents with test cards. */
  let client: Stripe;
  let experienceId: string;
  const auth = () => ({ Authorization: `Bearer ${t.token('chaos-user')}` });

  const newSlot = async (capacity = 10) => (await createSlot(t.dataSource, experienceId, { capacity })).id;
  const holdCall = (slotId: string, key: string, guests = 1) =>
    t.http
      .post('/v1/reservations/hold')
      .timeout(REQUEST_TIMEOUT_MS)
      .set(auth())
      .set('X-Idempotency-Key', key)
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: guests, ...guest });
  const hold = async (slotId: string, guests = 1): Promise<string> =>
    (await holdCall(slotId, randomUUID(), guests).expect(200)).body.reservation.id as string;
  const convert = (holdId: string, key: string = randomUUID()) =>
    t.http
      .post('/v1/reservations/hold/convert')
      .timeout(REQUEST_TIMEOUT_MS)
      .set(auth())
      .set('X-Idempotency-Key', key)
      .send({ holdId });
  const reservation = async (id: string) =>
    (await t.http.get(`/v1/reservations/${id}`).timeout(REQUEST_TIMEOUT_MS).set(auth()).expect(200)).body as {
      status: string;
      reservationReference: string | null;
    };
  const slot = async (id: string) =>
    (
      (await t.dataSource.query('SELECT capacity, held, booked FROM time_slots WHERE id = $1', [id])) as {
        capacity: number;
        held: number;
        booked: number;
      }[]
    )[0];
  const paymentsOf = async (reservationId: string) =>
    (await t.dataSource.query('SELECT id, provider_intent_id FROM payments WHERE reservation_id = $1', [reservationId])) as {
      id: string;
      provider_intent_id: string | null;
    }[];
  const created = () => fake.counters.created.paymentIntents;

  /** Pays the intent with a test card and delivers Stripe's events: the reservation confirms. */
  const payAndConfirm = async (reservationId: string, pi: string): Promise<void> => {
    await client.paymentIntents.confirm(pi, { payment_method: 'pm_card_visa' });
    for (const event of fake.pendingEvents().filter((e) => intentOf(e) === pi)) {
      expect((await fake.deliver(event)).status).toBe(200);
    }
    expect((await reservation(reservationId)).status).toBe('confirmed');
  };

  beforeAll(async () => {
    ({ fake, t, client } = await createStripeTestApp({
      secretKey: 'sk_test_chaos_spec',
      clientKey: 'sk_test_chaos_phone',
      webhookSecret: WEBHOOK_SECRET,
      env: { STRIPE_TIMEOUT_MS: String(STRIPE_TIMEOUT_MS) },
    }));
    experienceId = (await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 5000 })).id;
  });

  afterAll(async () => {
    try {
      expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    } finally {
      await t?.close();
      await fake?.stop();
    }
  });

  describe('Stripe', () => {
    it('answers 500: the client sees 502 PAYMENT_PROCESSING_FAILED, the hold keeps its places, and the retry after the fault succeeds with ONE intent', async () => {
      // Client sees: convert 502 PAYMENT_PROCESSING_FAILED; the same convert again, once Stripe is back, 200.
      const slotId = await newSlot();
      const id = await hold(slotId, 2);
      const before = await slot(slotId);
      const intents = created();
      const key = randomUUID();
      // A load balancer's 500 for the attempt and both of the SDK's retries: Stripe creates nothing.
      const outage = fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 500, times: 3 });

      const failed = await convert(id, key).expect(502);
      expect(failed.body).toEqual(envelope('PAYMENT_PROCESSING_FAILED'));
      expect(outage.hits).toBe(3);
      expect(created()).toBe(intents);
      // Not lost: the reservation still holds its two places, and may be converted again.
      expect((await reservation(id)).status).toBe('pending');
      expect(await slot(slotId)).toEqual(before);

      const retried = await convert(id, key).expect(200);
      const pi = retried.body.reservation.paymentIntentId as string;
      expect(created()).toBe(intents + 1);
      expect(await paymentsOf(id)).toEqual([expect.objectContaining({ provider_intent_id: pi })]);
      await payAndConfirm(id, pi);
    });

    it('answers too slowly once: the client sees 200 (the SDK retried with the same key), ONE intent', async () => {
      // Client sees: convert 200, a little late. Nothing to do.
      const id = await hold(await newSlot());
      const intents = created();
      // Stripe creates the intent at once but answers after the gateway's per-attempt timeout.
      const slow = fake.inject({
        path: '/v1/payment_intents',
        method: 'POST',
        kind: 'timeout',
        afterEffect: true,
        delayMs: 1_500,
      });

      const res = await convert(id).expect(200);
      expect(slow.hits).toBe(1);
      expect(fake.requestCount(CREATE)).toBeGreaterThanOrEqual(2);
      expect(created()).toBe(intents + 1);
      expect(await paymentsOf(id)).toEqual([
        expect.objectContaining({ provider_intent_id: res.body.reservation.paymentIntentId }),
      ]);
    });

    it('keeps timing out: the client sees 502 PAYMENT_PROCESSING_FAILED, then 200 on retry, with ONE intent', async () => {
      // Client sees: convert 502 PAYMENT_PROCESSING_FAILED after ~3 timeouts; convert again: 200, the same intent.
      const id = await hold(await newSlot());
      const intents = created();
      const requests = fake.requestCount(CREATE);
      // Every attempt times out; the first one did create the intent.
      const slow = fake.inject({
        path: '/v1/payment_intents',
        method: 'POST',
        kind: 'timeout',
        afterEffect: true,
        delayMs: 1_500,
        times: 3,
      });

      const failed = await convert(id).expect(502);
      expect(failed.body).toEqual(envelope('PAYMENT_PROCESSING_FAILED'));
      expect(slow.hits).toBe(3);
      expect(fake.requestCount(CREATE)).toBe(requests + 3);
      expect(created()).toBe(intents + 1);
      expect((await reservation(id)).status).toBe('pending');

      // A new key: the app resumes its own payment row, whose Stripe key finds the same intent.
      const retried = await convert(id).expect(200);
      const pi = retried.body.reservation.paymentIntentId as string;
      expect(created()).toBe(intents + 1);
      const [attempt] = await paymentsOf(id);
      expect(attempt.provider_intent_id).toBe(pi);
      expect(fake.state.paymentIntents.get(pi)!.metadata.paymentId).toBe(attempt.id);
      expect(await paymentsOf(id)).toHaveLength(1);
      await payAndConfirm(id, pi);
    });

    it('rate-limits (429) twice: the client sees 200 (the gateway backed off and retried), ONE intent', async () => {
      // Client sees: convert 200, about a second late. Nothing to do.
      const id = await hold(await newSlot());
      const intents = created();
      const limited = fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 429, times: 2 });

      const res = await convert(id).expect(200);
      expect(limited.hits).toBe(2);
      expect(created()).toBe(intents + 1);
      expect(await paymentsOf(id)).toEqual([
        expect.objectContaining({ provider_intent_id: res.body.reservation.paymentIntentId }),
      ]);
    });

    it('keeps rate-limiting (429): the client sees 502 PAYMENT_PROCESSING_FAILED, then 200 on retry, ONE intent', async () => {
      // Client sees: convert 502 PAYMENT_PROCESSING_FAILED; convert again: 200.
      const id = await hold(await newSlot());
      const intents = created();
      // The first attempt and the gateway's two retries: then it gives up.
      const limited = fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 429, times: 3 });

      const failed = await convert(id).expect(502);
      expect(failed.body).toEqual(envelope('PAYMENT_PROCESSING_FAILED'));
      expect(limited.hits).toBe(3);
      expect(created()).toBe(intents);

      const res = await convert(id).expect(200);
      expect(created()).toBe(intents + 1);
      expect(await paymentsOf(id)).toEqual([
        expect.objectContaining({ provider_intent_id: res.body.reservation.paymentIntentId }),
      ]);
    });
  });

  describe('PostgreSQL kills the app’s connections (pg_terminate_backend)', () => {
    /** A connection of the test's own (another application_name), which the kills below spare. */
    let admin: pg.Client;
    let confirmedId: string;
    let confirmedReference: string | null;

    /** The app's backends on this file's database (matching `where`), never the test's own. */
    const appBackends = async (where = 'true'): Promise<number[]> => {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE application_name = 'holdfast' AND datname = $1 AND pid <> pg_backend_pid() AND ${where}`,
        [t.db.name],
      );
      return rows.map((r) => r.pid);
    };
    /** Terminates every connection of the app's pool, busy or idle; waits until they are gone. */
    const killAppConnections = async (): Promise<number> => {
      const { rows } = await admin.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE application_name = 'holdfast' AND datname = $1 AND pid <> pg_backend_pid()`,
        [t.db.name],
      );
      await waitFor('the killed backends to exit', async () => (await appBackends()).length === 0, 10_000);
      return rows.filter((r) => r.killed).length;
    };
    const ready = async () => (await t.http.get('/health/ready').timeout(REQUEST_TIMEOUT_MS)).status;

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: t.db.url, application_name: 'holdfast-chaos-test' });
      await admin.connect();
      // A confirmed reservation that no kill may lose.
      confirmedId = await hold(await newSlot(), 3);
      const pi = (await convert(confirmedId).expect(200)).body.reservation.paymentIntentId as string;
      await payAndConfirm(confirmedId, pi);
      confirmedReference = (await reservation(confirmedId)).reservationReference;
      expect(confirmedReference).toEqual(expect.any(String));
    });

    afterAll(async () => {
      await admin?.end();
    });

    it('between requests: the client sees 200 (the pool replaced the dead connections), with no restart', async () => {
      // Client sees: nothing at all; the next hold is 200.
      const slotId = await newSlot();
      await hold(slotId); // the pool has connections to lose
      expect(await killAppConnections()).toBeGreaterThan(0);

      // A connection killed while idle is dropped from the pool the moment it dies.
      const key = randomUUID();
      const res = await holdCall(slotId, key);
      expect(res.status).toBe(200);
      expect(await ready()).toBe(200);
      expect((await slot(slotId)).held).toBe(2);
    });

    it('mid-request: the client sees 503 SERVICE_UNAVAILABLE with Retry-After at once (no hang), the retry with the same key is 200, and nothing is half-done', async () => {
      // Client sees: the hold in flight fails with 503 SERVICE_UNAVAILABLE at once; the retry with its key is 200.
      const slotId = await newSlot();
      const before = await slot(slotId);
      // Another transaction locks the slot's row, so the hold's UPDATE waits there: in flight, provably.
      const blocker = new pg.Client({ connectionString: t.db.url, application_name: 'holdfast-chaos-blocker' });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM time_slots WHERE id = $1 FOR UPDATE', [slotId]);
        const key = randomUUID();
        const inFlight = holdCall(slotId, key).then((r) => r); // supertest sends on then()
        await waitFor(
          'the hold to wait on the slot lock',
          async () => (await appBackends(`wait_event_type = 'Lock'`)).length > 0,
          10_000,
        );
        expect(await killAppConnections()).toBeGreaterThan(0);

        const res = await inFlight;
        expect(res.status).toBe(503);
        expect(res.body).toEqual(envelope('SERVICE_UNAVAILABLE'));
        expect(res.headers['retry-after']).toBe('2');
        await blocker.query('ROLLBACK');

        // The killed transaction rolled back whole, the idempotency key with it: the retry makes the hold.
        const retried = await holdCall(slotId, key).expect(200);
        expect(retried.headers['idempotent-replayed']).toBeUndefined();
        expect(await slot(slotId)).toEqual({ ...before, held: before.held + 1 });
        const rows = (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id WHERE i.time_slot_id = $1`,
          [slotId],
        )) as { n: number }[];
        expect(rows[0].n).toBe(1);
      } finally {
        await blocker.end();
      }
    });

    it('after the kills: /health/ready is 200, the confirmed reservation is still confirmed, and counters equal the ledger', async () => {
      // Client sees: the booking it paid for, still confirmed with its reference; the app is ready again.
      await waitFor('GET /health/ready = 200', async () => (await ready()) === 200, 10_000);
      const after = await reservation(confirmedId);
      expect(after).toMatchObject({ status: 'confirmed', reservationReference: confirmedReference });
      expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    });
  });
});

/*
 * The real `npm start` (the built main.js as a child process, see test/process.e2e-spec.ts
 * for why it builds into a folder of its own) against a PostgreSQL that is not there yet:
 * a second embedded server of this file's own, initialised first and then stopped, so that
 * it can come up on the same port in a second or two.
 */
describe('chaos, as a process: the database is down at start-up', () => {
  const ROOT = process.cwd();
  const BUILD_DIR = join(ROOT, '.data', `chaos-e2e-build-${randomBytes(4).toString('hex')}`);
  const DB_NAME = 'holdfast_chaos_test';
  let dir: string;
  let pgPort: number;
  let server: RunningPostgres | undefined;
  let child: ChildProcess | undefined;

  const startPostgres = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort });

  beforeAll(async () => {
    buildAppInto(BUILD_DIR);
    dir = mkdtempSync(join(tmpdir(), 'holdfast-chaos-'));
    chmodSync(dir, 0o755); // as root, Postgres runs as `postgres`, which must traverse it
    pgPort = await findFreePort();
    server = await startPostgres();
    const setup = new pg.Client({ connectionString: server.url });
    await setup.connect();
    await setup.query(`CREATE DATABASE ${DB_NAME}`);
    await setup.end();
    await server.stop();
    server = undefined;
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(BUILD_DIR, { recursive: true, force: true });
  }, 60_000);

  it('live 200 and ready 503 with a clear log while it is down; requests get 503 SERVICE_UNAVAILABLE; ready 200 once it is up, with no restart', async () => {
    // Client sees: /health/live 200, /health/ready 503, other routes 503 SERVICE_UNAVAILABLE with Retry-After; then, with no restart, all 200.
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pgPort}/${DB_NAME}`,
      DEMO_CATALOG: 'true',
      LOG_LEVEL: 'info',
    };
    const app = spawn(process.execPath, [join(BUILD_DIR, 'src/main.js')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = app;
    let out = '';
    let err = '';
    app.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    app.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      app.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const alive = () => app.exitCode === null && app.signalCode === null;
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
      const retryAfter = res.headers.get('retry-after');
      return {
        status: res.status,
        body: (await res.json()) as Record<string, unknown>,
        ...(retryAfter === null ? {} : { retryAfter }),
      };
    };
    const logLines = () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; context?: string; msg: string });

    // While the database is down: the process is up and says it is not ready.
    await waitFor(
      'GET /health/live = 200',
      async () => {
        if (!alive()) throw new Error(`the app exited while the database was down:\n${err}\n${out}`);
        return get('/health/live').then(
          (res) => res.status === 200,
          () => false,
        );
      },
      60_000,
    );
    const notReady = await get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', message: expect.any(String) } },
    });
    // The log arrives through a pipe, the answers through sockets: wait for the line, briefly.
    const logged = async (pattern: RegExp) => {
      await waitFor(`a log line matching ${pattern}`, () => logLines().some((l) => pattern.test(l.msg)), 5_000);
      return logLines().find((l) => pattern.test(l.msg));
    };
    expect(await logged(/^database unreachable/)).toMatchObject({
      level: 50,
      context: 'Database',
      msg: expect.stringContaining(`database unreachable at 127.0.0.1:${pgPort}/${DB_NAME} (connect ECONNREFUSED`),
    });
    expect(out).not.toContain('postgres:postgres@'); // the URL's credentials stay out of the log
    const failed = await get('/v1/catalog/offerings');
    expect(failed).toEqual({ status: 503, body: envelope('SERVICE_UNAVAILABLE'), retryAfter: '2' });

    // The database comes up: the same process connects, migrates, loads the demo catalog, turns ready.
    server = await startPostgres();
    await waitFor('GET /health/ready = 200', async () => (await get('/health/ready')).status === 200, 30_000);
    expect(alive()).toBe(true);
    expect(await logged(/^database connected after \d+ attempts; ready$/)).toMatchObject({ level: 30, context: 'Database' });
    const offerings = await get('/v1/catalog/offerings');
    expect(offerings.status).toBe(200);
    expect(offerings.body.offerings).toHaveLength(DEMO_OFFERINGS); // the demo catalog, loaded once the database came

    app.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(err).toBe('');
  }, 120_000);
});
