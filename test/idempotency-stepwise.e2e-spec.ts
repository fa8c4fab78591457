import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Response } from 'supertest';
import { requestHash } from '@holdfast/idempotency';
import { type ExternalHold, StepwiseProbeModule, StepwiseProbeService } from './support/stepwise-probe.module';
import { expectOneRun, replayed } from './support/idempotency-assertions';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * `@Idempotent({ mode: 'stepwise' })` against real Postgres, on the test-only probe
 * routes: the handler commits step 1 (a `probe_steps` row 'started'), calls a
 * simulated third party (counted per label, and holdable so a test can act while a
 * handler is provably in flight), then commits step 2 ('done'). The key is claimed by
 * a committed `in_progress` row, the handler runs with no transaction open, success
 * completes the row, failure drops it, and a claim older than 60 s is taken over.
 *
 * The app runs with DB_POOL_SIZE=2, and every check of the database goes through a
 * separate connection (`observer`), so what it sees is what is committed.
 */
describe('stepwise idempotency (X-Idempotency-Key, mode: stepwise) on real Postgres', () => {
  const BASE = '/v1/test-stepwise';
  let t: TestApp;
  let probe: StepwiseProbeService;
  let observer: pg.Client;

  beforeAll(async () => {
    t = await createTestApp({
      // The sweep is kept out of the way so the only sessions in this database are the test's.
      env: { DB_POOL_SIZE: '2', HOLD_SWEEP_INTERVAL_SECONDS: '3600' },
      imports: [StepwiseProbeModule],
    });
    probe = t.app.get(StepwiseProbeService);
    observer = new pg.Client({ connectionString: t.db.url, application_name: 'stepwise-observer' });
    await observer.connect();
  });
  afterAll(async () => {
    await observer?.end();
    await t?.close();
  });

  const newLabel = (): string => `label-${randomUUID()}`;

  function post(path: string, key: string, body: object, user = 'alice'): Promise<Response> {
    return t.http
      .post(`${BASE}${path}`)
      .set('Authorization', `Bearer ${t.token(user)}`)
      .set('X-Idempotency-Key', key)
      .send(body)
      .then((res) => res);
  }

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await observer.query(sql, params)).rows as T[];
  }

  interface KeyRow {
    state: string;
    locked: boolean;
    fresh: boolean;
    response_status: number | null;
    response_body: unknown;
  }

  /** The key's row as committed: at most one. */
  const keyRows = (key: string): Promise<KeyRow[]> =>
    query<KeyRow>(
      `SELECT state, locked_at IS NOT NULL AS locked, coalesce(locked_at > now() - interval '1 minute', false) AS fresh,
              response_status, response_body
         FROM idempotency_keys WHERE key = $1`,
      [key],
    );

  /** The committed `probe_steps` rows for a label, oldest first. */
  const steps = (label: string): Promise<{ id: string; state: string; provider_ref: string | null }[]> =>
    query('SELECT id, state, provider_ref FROM probe_steps WHERE label = $1 ORDER BY created_at', [label]);

  /** Sessions of this database with a transaction open and idle (what a parked handler in one would be). */
  const idleInTransaction = async (): Promise<number> =>
    (
      await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      )
    )[0].n;

  /** Advisory locks held in this database (the claim's lock must be gone once the claim commits). */
  const advisoryLocks = async (): Promise<number> =>
    (
      await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      )
    )[0].n;

  /** The app's own connections to its database (its pool). */
  const appConnections = async (): Promise<number> =>
    (
      await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'holdfast'`,
      )
    )[0].n;

  /** Waits until the hold has parked its calls; fails at once if a request answers first. */
  async function whileParked(hold: ExternalHold, requests: Promise<Response>[]): Promise<void> {
    await Promise.race([
      hold.parked,
      ...requests.map((request) =>
        request.then((res) => {
          throw new Error(`a request answered ${res.status} ${JSON.stringify(res.body)} before it was held in flight`);
        }),
      ),
    ]);
  }

  /** Resolves with the first `count` responses to arrive. */
  function firstAnswers(requests: Promise<Response>[], count: number): Promise<Response[]> {
    return new Promise((resolve) => {
      const answered: Response[] = [];
      for (const request of requests) {
        void request.then((res) => {
          answered.push(res);
          if (answered.length === count) resolve([...answered]);
        });
      }
    });
  }

  function expectError(res: Response, status: number, error: string): void {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, message: expect.any(String), requestId: expect.any(String) });
  }

  const result = (label: string, n: number) => ({
    id: expect.any(String),
    label,
    state: 'done',
    providerRef: `ext-${label}-${n}`,
  });

  it('runs with a pool of two connections', () => {
    expect(t.config.DB_POOL_SIZE).toBe(2);
  });

  describe('replay', () => {
    it('completes the key with the response, then replays it without running the handler again', async () => {
      const label = newLabel();
      const key = randomUUID();
      const first = await post('/run', key, { label, note: 'n' });
      expect(first.status).toBe(200);
      expect(replayed(first)).toBe(false);
      expect(first.body).toEqual(result(label, 1));
      expect(probe.externalCalls(label)).toBe(1);

      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: first.body },
      ]);
      expect(await steps(label)).toEqual([{ id: first.body.id, state: 'done', provider_ref: `ext-${label}-1` }]);

      const again = await post('/run', key, { label, note: 'n' });
      expect(again.status).toBe(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);

      const reordered = await post('/run', key, { note: 'n', label });
      expect(reordered.status).toBe(200);
      expect(replayed(reordered)).toBe(true);
      expect(reordered.body).toEqual(first.body);

      expectError(await post('/run', key, { label, note: 'other' }), 422, 'IDEMPOTENCY_KEY_REUSED');

      expect(probe.externalCalls(label)).toBe(1);
      expect(await steps(label)).toHaveLength(1);
      expect(probe.callsInTransaction).toBe(0);
    });
  });

  describe('in flight', () => {
    it('claims the key with a committed row and holds no transaction or lock while the handler runs; 409 / 422 meanwhile', async () => {
      const label = newLabel();
      const key = randomUUID();
      const hold = probe.holdNext();
      const first = post('/run', key, { label, note: 'n' });
      try {
        await whileParked(hold, [first]);

        // Seen from another connection: the claim and step 1 are committed...
        expect(await keyRows(key)).toEqual([
          { state: 'in_progress', locked: true, fresh: true, response_status: null, response_body: null },
        ]);
        expect(await steps(label)).toEqual([{ id: expect.any(String), state: 'started', provider_ref: null }]);
        // ...and nothing is held open for the key while the third party is called.
        expect(await idleInTransaction()).toBe(0);
        expect(await advisoryLocks()).toBe(0);
        expect(probe.callsInTransaction).toBe(0);

        expectError(await post('/run', key, { label, note: 'n' }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        expectError(await post('/run', key, { note: 'n', label }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        expectError(await post('/run', key, { label: newLabel() }), 422, 'IDEMPOTENCY_KEY_REUSED');
        expectError(await post('/run', key, { label, note: 'other' }), 422, 'IDEMPOTENCY_KEY_REUSED');
        expect(probe.externalCalls(label)).toBe(1);
        expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'in_progress', fresh: true })]);
      } finally {
        hold.release();
      }

      const done = await first;
      expect(done.status).toBe(200);
      expect(replayed(done)).toBe(false);
      expect(done.body).toEqual(result(label, 1));
      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: done.body },
      ]);
      expect(await steps(label)).toEqual([{ id: done.body.id, state: 'done', provider_ref: `ext-${label}-1` }]);

      const again = await post('/run', key, { label, note: 'n' });
      expect(again.status).toBe(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(done.body);
      expect(probe.externalCalls(label)).toBe(1);
    });

    it('pins no connection while handlers run: with a pool of 2, five parked requests all claim, and a sixth completes', async () => {
      const labels = Array.from({ length: 5 }, newLabel);
      const keys = labels.map(() => randomUUID());
      const hold = probe.holdNext(5);
      const requests = labels.map((label, i) => post('/run', keys[i], { label }));
      try {
        await whileParked(hold, requests);

        const claims = await query<{ key: string; state: string; locked: boolean }>(
          'SELECT key, state, locked_at IS NOT NULL AS locked FROM idempotency_keys WHERE key = ANY($1) ORDER BY key',
          [keys],
        );
        expect(claims).toEqual([...keys].sort().map((key) => ({ key, state: 'in_progress', locked: true })));
        for (const label of labels) expect(await steps(label)).toEqual([expect.objectContaining({ state: 'started' })]);
        expect(await idleInTransaction()).toBe(0);
        expect(await advisoryLocks()).toBe(0);
        expect(await appConnections()).toBeLessThanOrEqual(2);

        // The pool is free for other work while the five wait on the third party.
        const label = newLabel();
        const sixth = await post('/run', randomUUID(), { label });
        expect(sixth.status).toBe(200);
        expect(sixth.body).toEqual(result(label, 1));
      } finally {
        hold.release();
      }

      const responses = await Promise.all(requests);
      expect(responses.map((res) => res.status)).toEqual(Array(5).fill(200));
      responses.forEach((res, i) => expect(res.body).toEqual(result(labels[i], 1)));
      for (const key of keys) expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'completed' })]);
      for (const label of labels) {
        expect(await steps(label)).toEqual([expect.objectContaining({ state: 'done' })]);
        expect(probe.externalCalls(label)).toBe(1);
      }
      expect(probe.callsInTransaction).toBe(0);
    });

    it('runs the handler once for 20 concurrent requests with one key: all 200 with one body, or 409', async () => {
      const label = newLabel();
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 20 }, () => post('/run', key, { label })));

      const ok = expectOneRun(responses);
      for (const res of ok) expect(res.body).toEqual(ok[0].body);
      expect(ok[0].body).toEqual(result(label, 1));

      expect(probe.externalCalls(label)).toBe(1);
      expect(await steps(label)).toEqual([{ id: ok[0].body.id, state: 'done', provider_ref: `ext-${label}-1` }]);
      expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'completed', response_body: ok[0].body })]);

      const after = await post('/run', key, { label });
      expect(after.status).toBe(200);
      expect(replayed(after)).toBe(true);
      expect(after.body).toEqual(ok[0].body);
    });

    it('answers 409 to the other 19 of 20 concurrent requests while the one that claimed the key is held', async () => {
      const label = newLabel();
      const key = randomUUID();
      const hold = probe.holdNext();
      const requests = Array.from({ length: 20 }, () => post('/run', key, { label }));
      let others: Response[];
      try {
        [others] = await Promise.all([firstAnswers(requests, 19), hold.parked]);
      } finally {
        hold.release();
      }
      for (const res of others) expectError(res, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');

      const winner = (await Promise.all(requests)).filter((res) => !others.includes(res));
      expect(winner).toHaveLength(1);
      expect(winner[0].status).toBe(200);
      expect(replayed(winner[0])).toBe(false);
      expect(winner[0].body).toEqual(result(label, 1));
      expect(probe.externalCalls(label)).toBe(1);
      expect(await steps(label)).toHaveLength(1);
    });
  });

  describe('failure', () => {
    it('drops the claim when the handler fails, keeps its committed step, and runs again on retry', async () => {
      const label = newLabel();
      const key = randomUUID();

      expectError(await post('/fails', key, { label }), 502, 'PAYMENT_PROCESSING_FAILED');
      expect(await keyRows(key)).toEqual([]);
      // Step 1 committed on its own: there was no surrounding transaction to roll it back.
      expect(await steps(label)).toEqual([expect.objectContaining({ state: 'started' })]);

      const retry = await post('/fails', key, { label });
      expectError(retry, 502, 'PAYMENT_PROCESSING_FAILED');
      expect(replayed(retry)).toBe(false);
      expect(probe.externalCalls(label)).toBe(2);
      expect(await keyRows(key)).toEqual([]);
      expect(await steps(label)).toEqual([
        expect.objectContaining({ state: 'started' }),
        expect.objectContaining({ state: 'started' }),
      ]);

      // Nothing of the failed request is kept under the key: another body is a new request, not 422.
      const other = newLabel();
      expectError(await post('/fails', key, { label: other }), 502, 'PAYMENT_PROCESSING_FAILED');
      expect(probe.externalCalls(other)).toBe(1);
    });

    it('drops the claim of a request that fails in flight, so a retry with the key runs and completes', async () => {
      const label = newLabel();
      const key = randomUUID();
      const hold = probe.holdNext();
      const first = post('/run', key, { label });
      try {
        await whileParked(hold, [first]);
        expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'in_progress', fresh: true })]);
      } finally {
        hold.fail();
      }
      expectError(await first, 502, 'PAYMENT_PROCESSING_FAILED');
      expect(await keyRows(key)).toEqual([]);

      const retry = await post('/run', key, { label });
      expect(retry.status).toBe(200);
      expect(replayed(retry)).toBe(false);
      expect(retry.body).toEqual(result(label, 2));
      expect(probe.externalCalls(label)).toBe(2);
      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: retry.body },
      ]);
      expect(await steps(label)).toEqual([
        expect.objectContaining({ state: 'started' }),
        { id: retry.body.id, state: 'done', provider_ref: `ext-${label}-2` },
      ]);
    });
  });

  describe('stale claims', () => {
    const makeStale = (key: string) =>
      query(`UPDATE idempotency_keys SET locked_at = now() - interval '2 minutes' WHERE key = $1`, [key]);

    it('takes over the claim of a request that died: the next request with the key runs and completes', async () => {
      // The scope this route's keys get, from a request that completed.
      const warmUp = randomUUID();
      await post('/run', warmUp, { label: newLabel() });
      const [{ scope }] = await query<{ scope: string }>('SELECT scope FROM idempotency_keys WHERE key = $1', [warmUp]);
      expect(scope).toMatch(/^alice\|POST \S*\/test-stepwise\/run$/);

      // A claim whose request died before finishing: nothing will complete or drop it.
      const label = newLabel();
      const key = randomUUID();
      await query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_at, expires_at)
         VALUES ($1, $2, $3, 'in_progress', now(), now() + interval '1 day')`,
        [scope, key, requestHash({}, { label })],
      );
      expectError(await post('/run', key, { label }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(probe.externalCalls(label)).toBe(0);

      await makeStale(key);
      expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'in_progress', fresh: false })]);

      const next = await post('/run', key, { label });
      expect(next.status).toBe(200);
      expect(replayed(next)).toBe(false);
      expect(next.body).toEqual(result(label, 1));
      expect(probe.externalCalls(label)).toBe(1);
      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: next.body },
      ]);
      expect(await steps(label)).toEqual([{ id: next.body.id, state: 'done', provider_ref: `ext-${label}-1` }]);

      const again = await post('/run', key, { label });
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(next.body);
      expect(probe.externalCalls(label)).toBe(1);
    });

    it('keeps the response of the request that took over when the request it replaced finishes late', async () => {
      const label = newLabel();
      const key = randomUUID();
      const hold = probe.holdNext();
      const original = post('/run', key, { label });
      let takeover: Response;
      try {
        await whileParked(hold, [original]);
        expectError(await post('/run', key, { label }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        await makeStale(key);

        takeover = await post('/run', key, { label });
        expect(takeover.status).toBe(200);
        expect(replayed(takeover)).toBe(false);
        expect(takeover.body).toEqual(result(label, 2));
        expect(probe.externalCalls(label)).toBe(2);
        expect(await keyRows(key)).toEqual([
          { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: takeover.body },
        ]);
      } finally {
        hold.release();
      }

      // The original still answers its own client, but the key keeps the takeover's response.
      const late = await original;
      expect(late.status).toBe(200);
      expect(late.body).toEqual(result(label, 1));
      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: takeover.body },
      ]);
      const again = await post('/run', key, { label });
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(takeover.body);
      expect(probe.externalCalls(label)).toBe(2);
    });

    it('does not let the request it replaced drop the new claim by failing late', async () => {
      const label = newLabel();
      const key = randomUUID();
      const holdOriginal = probe.holdNext();
      const holdTakeover = probe.holdNext();
      const original = post('/run', key, { label });
      let takeover: Promise<Response> | undefined;
      try {
        await whileParked(holdOriginal, [original]);
        await makeStale(key);
        takeover = post('/run', key, { label });
        await whileParked(holdTakeover, [takeover]);
        expect(probe.externalCalls(label)).toBe(2);
        expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'in_progress', fresh: true })]);

        holdOriginal.fail();
        expectError(await original, 502, 'PAYMENT_PROCESSING_FAILED');

        // The takeover still owns the key: another request is refused, and does not run.
        expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'in_progress', fresh: true })]);
        expectError(await post('/run', key, { label }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        expect(probe.externalCalls(label)).toBe(2);
      } finally {
        holdOriginal.release();
        holdTakeover.release();
      }

      const done = await takeover!;
      expect(done.status).toBe(200);
      expect(replayed(done)).toBe(false);
      expect(done.body).toEqual(result(label, 2));
      expect(await keyRows(key)).toEqual([
        { state: 'completed', locked: false, fresh: false, response_status: 200, response_body: done.body },
      ]);
      expect(probe.externalCalls(label)).toBe(2);
    });
  });
});
