import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Response } from 'supertest';
import { IdempotencyPurgeJob } from '@holdfast/idempotency';
import { IdempotencyProbeModule, IdempotencyProbeService } from './support/idempotency-probe.module';
import { expectOneRun, replayed } from './support/idempotency-assertions';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * DESIGN.md section 6 (X-Idempotency-Key) and section 9 invariant 5 ("one idempotency
 * key, one effect, under any concurrency"), proven on the test-only probe routes
 * against real Postgres. Every probe call inserts one `probe_effects` row, so the
 * number of effects a key produced is a COUNT(*). Labels and keys are unique per case.
 */
describe('idempotency (X-Idempotency-Key) on real Postgres', () => {
  const BASE = '/v1/test-idempotency';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [IdempotencyProbeModule] });
  });
  afterAll(async () => t.close());

  const newLabel = (): string => `label-${randomUUID()}`;

  function post(path: string, key: string | undefined, body: object, user = 'alice') {
    const req = t.http.post(`${BASE}${path}`).set('Authorization', `Bearer ${t.token(user)}`);
    if (key !== undefined) req.set('X-Idempotency-Key', key);
    return req.send(body);
  }

  async function effects(label: string): Promise<number> {
    const [row] = (await t.dataSource.query('SELECT count(*)::int AS n FROM probe_effects WHERE label = $1', [label])) as [
      { n: number },
    ];
    return row.n;
  }

  async function keyRows(key: string): Promise<number> {
    const [row] = (await t.dataSource.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key])) as [
      { n: number },
    ];
    return row.n;
  }

  function expectError(res: Response, status: number, error: string): void {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, message: expect.any(String), requestId: expect.any(String) });
  }

  describe('when the key is missing, malformed or unauthenticated', () => {
    it('refuses a required route without a key with 400 IDEMPOTENCY_KEY_REQUIRED and no effect', async () => {
      const label = newLabel();
      expectError(await post('/required', undefined, { label }), 400, 'IDEMPOTENCY_KEY_REQUIRED');
      expectError(await post('/required', '', { label }), 400, 'IDEMPOTENCY_KEY_REQUIRED');
      expect(await effects(label)).toBe(0);
    });

    it('runs an optional route without a key every time, storing no key', async () => {
      const label = newLabel();
      const first = await post('/optional', undefined, { label }).expect(201);
      const second = await post('/optional', undefined, { label }).expect(201);
      expect(first.body.id).not.toBe(second.body.id);
      expect(replayed(first) || replayed(second)).toBe(false);
      expect(await effects(label)).toBe(2);
      const [row] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM idempotency_keys WHERE scope LIKE '%/test-idempotency/optional'`,
      )) as [{ n: number }];
      expect(row.n).toBe(0);
    });

    it('honours a key on an optional route: one effect, then a replay of the 201', async () => {
      const label = newLabel();
      const key = randomUUID();
      const first = await post('/optional', key, { label }).expect(201);
      const again = await post('/optional', key, { label }).expect(201);
      expect(replayed(first)).toBe(false);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);
      expect(await effects(label)).toBe(1);
    });

    it.each([
      ['300 characters', 'k'.repeat(300)],
      ['a space', 'has space'],
      ['a control character', 'tab\there'],
    ])('rejects a key with %s as 400 VALIDATION_FAILED, with no effect and no key stored', async (_what, key) => {
      const label = newLabel();
      const res = await post('/required', key, { label });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'X-Idempotency-Key' }] });
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);
    });

    it('accepts a key of 255 printable characters', async () => {
      const label = newLabel();
      const key = `${randomUUID()}~!@#`.padEnd(255, 'x');
      await post('/required', key, { label }).expect(200);
      expect(await keyRows(key)).toBe(1);
    });

    it('answers 401 before any idempotency work when there is no bearer token', async () => {
      const label = newLabel();
      const key = randomUUID();
      const res = await t.http.post(`${BASE}/required`).set('X-Idempotency-Key', key).send({ label });
      expectError(res, 401, 'UNAUTHORIZED');
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);
    });
  });

  describe('replay', () => {
    it('stores the first response with the effect and replays it for the same key and body', async () => {
      const label = newLabel();
      const key = randomUUID();
      const first = await post('/required', key, { label, note: 'n' }).expect(200);
      expect(first.body).toEqual({ id: expect.any(String), label });
      expect(replayed(first)).toBe(false);

      const [stored] = (await t.dataSource.query(
        `SELECT scope, state, response_status, response_body, expires_at > now() + interval '23 hours' AS kept_a_day
           FROM idempotency_keys WHERE key = $1`,
        [key],
      )) as Record<string, unknown>[];
      expect(stored).toEqual({
        scope: expect.stringMatching(/^alice\|POST \S*\/test-idempotency\/required$/),
        state: 'completed',
        response_status: 200,
        response_body: first.body,
        kept_a_day: true,
      });

      const again = await post('/required', key, { label, note: 'n' });
      expect(again.status).toBe(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);

      const reordered = await post('/required', key, { note: 'n', label });
      expect(reordered.status).toBe(200);
      expect(replayed(reordered)).toBe(true);
      expect(reordered.body).toEqual(first.body);

      expect(await effects(label)).toBe(1);
      expect(await keyRows(key)).toBe(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, with no new effect', async () => {
      const label = newLabel();
      const other = newLabel();
      const key = randomUUID();
      const first = await post('/required', key, { label }).expect(200);
      expectError(await post('/required', key, { label: other }), 422, 'IDEMPOTENCY_KEY_REUSED');
      expectError(await post('/required', key, { label, note: 'extra' }), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await effects(label)).toBe(1);
      expect(await effects(other)).toBe(0);
      // The original request still replays.
      const again = await post('/required', key, { label }).expect(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);
    });

    it('counts route params as part of the request: another :id with the same key is 422', async () => {
      const label = newLabel();
      const key = randomUUID();
      const first = await post('/items/a', key, { label }).expect(200);
      expect(first.body.label).toBe(`a:${label}`);
      expectError(await post('/items/b', key, { label }), 422, 'IDEMPOTENCY_KEY_REUSED');
      const again = await post('/items/a', key, { label }).expect(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);
      expect(await effects(`a:${label}`)).toBe(1);
      expect(await effects(`b:${label}`)).toBe(0);
    });

    it('scopes keys per user: bob reusing alice’s key gets his own effect, and each replays their own', async () => {
      const label = newLabel();
      const key = randomUUID();
      const alice = await post('/required', key, { label }, 'alice').expect(200);
      const bob = await post('/required', key, { label }, 'bob').expect(200);
      expect(replayed(bob)).toBe(false);
      expect(bob.body.id).not.toBe(alice.body.id);
      expect(await effects(label)).toBe(2);

      const scopes = (await t.dataSource.query('SELECT scope FROM idempotency_keys WHERE key = $1 ORDER BY scope', [key])) as {
        scope: string;
      }[];
      expect(scopes.map((row) => row.scope.split('|')[0])).toEqual(['alice', 'bob']);

      expect((await post('/required', key, { label }, 'alice').expect(200)).body.id).toBe(alice.body.id);
      expect((await post('/required', key, { label }, 'bob').expect(200)).body.id).toBe(bob.body.id);
      expect(await effects(label)).toBe(2);
    });

    it('scopes keys per route: the same key on another route is a new request', async () => {
      const label = newLabel();
      const key = randomUUID();
      const required = await post('/required', key, { label }).expect(200);
      const item = await post('/items/z', key, { label }).expect(200);
      expect(replayed(item)).toBe(false);
      expect(item.body.id).not.toBe(required.body.id);
      expect(await keyRows(key)).toBe(2);
    });
  });

  describe('the key commits with the effect, or not at all', () => {
    it('stores no key when the handler fails after writing, so a retry with the same key runs again', async () => {
      const probe = t.app.get(IdempotencyProbeService);
      const label = newLabel();
      const key = randomUUID();
      const runsBefore = probe.failedRuns;

      const first = await post('/fails', key, { label });
      expectError(first, 409, 'NOT_ENOUGH_CAPACITY');
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);

      const retry = await post('/fails', key, { label });
      expectError(retry, 409, 'NOT_ENOUGH_CAPACITY');
      expect(replayed(retry)).toBe(false);
      expect(probe.failedRuns - runsBefore).toBe(2);
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);
    });

    it('rolls the key back with the effect when the transaction fails at COMMIT, after the handler returned', async () => {
      const probe = t.app.get(IdempotencyProbeService);
      const label = newLabel();
      const key = randomUUID();
      const runsBefore = probe.failedRuns;

      const first = await post('/fails-at-commit', key, { label });
      expectError(first, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(first.body)).not.toMatch(/probe_commit_checks|foreign key|INSERT/i);
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);

      const retry = await post('/fails-at-commit', key, { label });
      expectError(retry, 500, 'INTERNAL_ERROR');
      expect(probe.failedRuns - runsBefore).toBe(2);
      expect(await effects(label)).toBe(0);
      expect(await keyRows(key)).toBe(0);
    });

    it('rolls the effect back when storing the key fails, after the handler returned', async () => {
      // A test-only trigger makes Postgres refuse to store keys starting with "poison-".
      await t.dataSource.query(`
        CREATE FUNCTION probe_refuse_poison_key() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'probe: this idempotency key may not be stored'; END $$`);
      await t.dataSource.query(`
        CREATE TRIGGER probe_refuse_poison_key BEFORE INSERT ON idempotency_keys
        FOR EACH ROW WHEN (NEW.key LIKE 'poison-%') EXECUTE FUNCTION probe_refuse_poison_key()`);
      try {
        const label = newLabel();
        const key = `poison-${randomUUID()}`;
        expectError(await post('/required', key, { label }), 500, 'INTERNAL_ERROR');
        expect(await effects(label)).toBe(0);
        expect(await keyRows(key)).toBe(0);
        // Other keys are unaffected.
        await post('/required', randomUUID(), { label }).expect(200);
        expect(await effects(label)).toBe(1);
      } finally {
        await t.dataSource.query('DROP TRIGGER probe_refuse_poison_key ON idempotency_keys');
        await t.dataSource.query('DROP FUNCTION probe_refuse_poison_key()');
      }
    });

    it('stores no key when validation fails, so the same key with a corrected body runs', async () => {
      const label = newLabel();
      const key = randomUUID();
      const wrongType = await post('/required', key, { label: 42 });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error).toBe('VALIDATION_FAILED');
      expect(wrongType.body.details).toContainEqual({ field: 'label', message: 'label must be a string' });
      const unknownField = await post('/required', key, { label, admin: true });
      expect(unknownField.status).toBe(400);
      expect(unknownField.body.error).toBe('VALIDATION_FAILED');
      expect(await keyRows(key)).toBe(0);

      // Had either failure stored the key, this other body would be 422, not a fresh 200.
      const fixed = await post('/required', key, { label });
      expect(fixed.status).toBe(200);
      expect(replayed(fixed)).toBe(false);
      expect(await effects(label)).toBe(1);
      expect(await keyRows(key)).toBe(1);
    });
  });

  describe('in flight', () => {
    it('answers 409 IDEMPOTENCY_KEY_IN_PROGRESS while the first request runs, then replays it', async () => {
      const probe = t.app.get(IdempotencyProbeService);
      const label = newLabel();
      const key = randomUUID();
      const gate = probe.holdNextSlow();
      const first = post('/slow', key, { label }).then((res) => res);
      try {
        await Promise.race([
          gate.entered,
          first.then((res) => {
            throw new Error(`/slow answered ${res.status} before it was held in flight`);
          }),
        ]);
        // The first request has written its effect inside its transaction: nothing is
        // visible outside it yet, neither the effect nor the key.
        expect(await effects(label)).toBe(0);
        expect(await keyRows(key)).toBe(0);

        expectError(await post('/slow', key, { label }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        expectError(await post('/slow', key, { label: newLabel() }), 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
      } finally {
        gate.release();
      }

      const done = await first;
      expect(done.status).toBe(200);
      expect(replayed(done)).toBe(false);
      expect(done.body).toEqual({ id: expect.any(String), label });
      expect(await effects(label)).toBe(1);
      expect(await keyRows(key)).toBe(1);

      const again = await post('/slow', key, { label });
      expect(again.status).toBe(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(done.body);
      expect(await effects(label)).toBe(1);
    });

    it('keeps one key, one effect with 20 concurrent requests carrying the same key', async () => {
      const label = newLabel();
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 20 }, () => post('/required', key, { label })));

      const ok = expectOneRun(responses);
      expect(new Set(ok.map((res) => res.body.id)).size).toBe(1);

      const rows = (await t.dataSource.query('SELECT id FROM probe_effects WHERE label = $1', [label])) as { id: string }[];
      expect(rows).toEqual([{ id: ok[0].body.id }]);
      expect(await keyRows(key)).toBe(1);

      const after = await post('/required', key, { label }).expect(200);
      expect(replayed(after)).toBe(true);
      expect(after.body.id).toBe(rows[0].id);
    });

    it('does not serialise different keys: 20 concurrent requests with 20 keys give 20 effects', async () => {
      const label = newLabel();
      const responses = await Promise.all(Array.from({ length: 20 }, () => post('/required', randomUUID(), { label })));
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
      expect(new Set(responses.map((res) => res.body.id)).size).toBe(20);
      expect(await effects(label)).toBe(20);
    });
  });

  describe('expiry and purge', () => {
    it('treats an expired key as new: another body is accepted, runs, and replaces the stored response', async () => {
      const first = newLabel();
      const second = newLabel();
      const key = randomUUID();
      await post('/required', key, { label: first }).expect(200);
      await t.dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);

      const res = await post('/required', key, { label: second });
      expect(res.status).toBe(200);
      expect(replayed(res)).toBe(false);
      expect(res.body.label).toBe(second);
      expect(await effects(first)).toBe(1);
      expect(await effects(second)).toBe(1);

      const rows = (await t.dataSource.query(
        'SELECT response_body, expires_at > now() AS live FROM idempotency_keys WHERE key = $1',
        [key],
      )) as { response_body: unknown; live: boolean }[];
      expect(rows).toEqual([{ response_body: res.body, live: true }]);

      const again = await post('/required', key, { label: second }).expect(200);
      expect(replayed(again)).toBe(true);
      expect(again.body).toEqual(res.body);
    });

    it('purges expired keys in batches and keeps live ones', async () => {
      const expiredCount = 5003; // more than one purge batch
      await t.dataSource.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, expires_at)
         SELECT 'purge-probe', 'expired-' || g, 'hash', 200, '{}'::jsonb, now() - interval '1 minute'
           FROM generate_series(1, $1::int) AS g`,
        [expiredCount],
      );
      await t.dataSource.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, expires_at)
         SELECT 'purge-probe', 'live-' || g, 'hash', 200, '{}'::jsonb, now() + interval '1 hour'
           FROM generate_series(1, 2) AS g`,
      );
      const count = async (where: string): Promise<number> => {
        const [row] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE ${where}`)) as [
          { n: number },
        ];
        return row.n;
      };
      const expiredBefore = await count('expires_at <= now()');
      const liveBefore = await count('expires_at > now()');
      expect(expiredBefore).toBe(expiredCount);
      expect(liveBefore).toBeGreaterThanOrEqual(2);

      const purge = t.app.get(IdempotencyPurgeJob);
      expect(await purge.purgeExpired()).toBe(expiredBefore);
      expect(await count('expires_at <= now()')).toBe(0);
      expect(await count('expires_at > now()')).toBe(liveBefore);
      expect(await count(`scope = 'purge-probe'`)).toBe(2);
      expect(await purge.purgeExpired()).toBe(0);
    });

    it('registers the purge job with the scheduler', () => {
      expect(t.app.get(SchedulerRegistry).getIntervals()).toContain('idempotency-purge');
    });
  });
});
