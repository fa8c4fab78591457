import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TransactionHost } from '@holdfast/database';
import { JobsService, type JobView } from '@holdfast/jobs';
import { createApp } from '../src/app.setup';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** libs/jobs (pg-boss 10 on the app's database): DESIGN.md section 13, "Jobs". */
describe('jobs (pg-boss on real Postgres)', () => {
  let t: TestApp;
  let second: NestExpressApplication;
  let jobs: JobsService;
  let txHost: TransactionHost;
  const admin = () => ({ Authorization: `Bearer ${t.token('root', ['admin'])}` });
  const job = async (id: string): Promise<JobView> => (await jobs.get(id))!;

  beforeAll(async () => {
    t = await createTestApp();
    jobs = t.app.get(JobsService);
    txHost = t.app.get(TransactionHost);
    // A second replica: same config, so the same database and queue.
    second = await createApp(t.config);
    await second.init();
    await t.dataSource.query(`CREATE TABLE job_runs (job_id uuid NOT NULL, replica text NOT NULL, n int)`);
  });

  afterAll(async () => {
    await second?.close().catch(() => undefined);
    await t?.close();
  });

  describe('enqueue in the caller transaction', () => {
    const handled: string[] = [];
    beforeAll(async () => {
      await jobs.register<{ n: number }>('tx-job', async (_data, ctx) => void handled.push(ctx.id), {
        retryLimit: 0,
        retryDelaySeconds: 1,
      });
    });

    it('a rolled-back transaction leaves no job', async () => {
      let id: string | null = null;
      await expect(
        txHost.run(async () => {
          id = await jobs.enqueue('tx-job', { n: 1 });
          throw new Error('the state change failed');
        }),
      ).rejects.toThrow('the state change failed');
      expect(id).not.toBeNull();
      expect(await jobs.get(id!)).toBeNull();
      const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'tx-job'`)) as {
        n: number;
      }[];
      expect(rows[0].n).toBe(0);
    });

    it('a committed transaction leaves exactly one job, which a worker runs', async () => {
      const id = await txHost.run(async () => {
        const enqueued = await jobs.enqueue('tx-job', { n: 2 });
        // Invisible to every other connection until the commit.
        const outside = (await t.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE id = $1`, [enqueued])) as {
          n: number;
        }[];
        expect(outside[0].n).toBe(0);
        return enqueued!;
      });
      await waitFor('the committed job to complete', async () => (await job(id)).state === 'completed');
      expect(handled).toEqual([id]);
      const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'tx-job'`)) as {
        n: number;
      }[];
      expect(rows[0].n).toBe(1);
    });

    it('refuses a job type nobody registered', async () => {
      await expect(jobs.enqueue('nobody-handles-this', {})).rejects.toThrow('not registered');
    });
  });

  describe('singletonKey: at most one queued job per type and key', () => {
    const successors: (string | null)[] = [];
    beforeAll(async () => {
      // Each run queues its successor under the same key, as a chain of retries does.
      await jobs.register<{ n: number }>(
        'chain-job',
        async ({ n }) => {
          if (n < 2) successors.push(await jobs.enqueue('chain-job', { n: n + 1 }, { singletonKey: 'chain' }));
        },
        { retryLimit: 0, retryDelaySeconds: 1 },
      );
      await jobs.register('later-job', async () => undefined, { retryLimit: 0, retryDelaySeconds: 1 });
    });

    it('concurrent enqueues with one key queue one job; another key its own', async () => {
      const later = { startAfterSeconds: 3600, singletonKey: 'later' };
      const ids = await Promise.all(Array.from({ length: 6 }, (_, n) => jobs.enqueue('later-job', { n }, later)));
      expect(ids.filter((id) => id !== null)).toHaveLength(1);
      // Inside a transaction too: the second of two in one transaction is dropped.
      const inOne = await txHost.run(async () => [
        await jobs.enqueue('later-job', { n: 7 }, { ...later, singletonKey: 'later-2' }),
        await jobs.enqueue('later-job', { n: 8 }, { ...later, singletonKey: 'later-2' }),
      ]);
      expect(inOne[0]).not.toBeNull();
      expect(inOne[1]).toBeNull();
      const rows = (await t.dataSource.query(
        `SELECT singleton_key, count(*)::int AS n FROM pgboss.job WHERE name = 'later-job' GROUP BY 1 ORDER BY 1`,
      )) as { singleton_key: string; n: number }[];
      expect(rows).toEqual([
        { singleton_key: 'later', n: 1 },
        { singleton_key: 'later-2', n: 1 },
      ]);
    });

    it('a running job queues its successor under its own key', async () => {
      const first = await jobs.enqueue('chain-job', { n: 1 }, { singletonKey: 'chain' });
      expect(first).not.toBeNull();
      await waitFor('the successor to be queued', () => successors.length === 1);
      expect(successors[0]).not.toBeNull();
      await waitFor('the successor to run', async () => (await job(successors[0]!)).state === 'completed');
    });
  });

  describe('retries with exponential backoff, then the dead-letter list, then a replay', () => {
    const attempts: number[] = [];
    let fixed = false;
    let id: string;

    beforeAll(async () => {
      await jobs.register(
        'flaky-job',
        async () => {
          attempts.push(Date.now());
          if (!fixed) throw new Error('downstream said no');
          return { delivered: true };
        },
        { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true },
      );
      id = (await jobs.enqueue('flaky-job', { ref: 'abc' }))!;
    });

    it('retries twice, each wait at least double the last base delay, then lands in failed', async () => {
      await waitFor('the job to fail for good', async () => (await job(id)).state === 'failed', 40_000);
      expect(attempts).toHaveLength(3);
      // pg-boss schedules retry n (0-based count) at delay * 2^n .. delay * 2^(n+1) seconds.
      expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(1000 - 50);
      expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(2000 - 50);
      const dead = await job(id);
      expect(dead).toMatchObject({ queue: 'flaky-job', retryCount: 2, retryLimit: 2, error: 'downstream said no' });
      expect(dead.completedOn).not.toBeNull();
    });

    it('lists it for admins with state=failed, and the metrics count it', async () => {
      const res = await t.http.get('/v1/admin/jobs?state=failed').set(admin()).expect(200);
      expect(res.body.jobs).toEqual([
        expect.objectContaining({
          id,
          queue: 'flaky-job',
          state: 'failed',
          retryCount: 2,
          error: 'downstream said no',
          dataSummary: '{"ref":"abc"}',
        }),
      ]);
      const byQueue = await t.http.get('/v1/admin/jobs?queue=tx-job&limit=10&offset=0').set(admin()).expect(200);
      expect(byQueue.body.jobs.map((j: JobView) => j.queue)).toEqual(['tx-job']);
      const metrics = await t.app.get(MetricsRegistry).metrics();
      expect(metrics).toContain('jobs{queue="flaky-job",state="failed"} 1');
      expect(metrics).toContain('jobs{queue="tx-job",state="completed"} 1');
      expect(metrics).toContain('jobs{queue="flaky-job",state="queued"} 0');
    });

    it('refuses non-admins (403) and bad input (400)', async () => {
      await t.http
        .get('/v1/admin/jobs')
        .set({ Authorization: `Bearer ${t.token('alice')}` })
        .expect(403);
      await t.http
        .post(`/v1/admin/jobs/${id}/retry`)
        .set({ Authorization: `Bearer ${t.token('alice')}` })
        .expect(403);
      for (const query of ['state=dead', 'limit=0', 'limit=201', 'offset=-1', 'limit=abc', 'queue=a%20b']) {
        const res = await t.http.get(`/v1/admin/jobs?${query}`).set(admin()).expect(400);
        expect(res.body.error).toBe('VALIDATION_FAILED');
      }
    });

    it('answers 404 NOT_FOUND for an unknown or malformed id', async () => {
      for (const bad of [randomUUID(), 'not-a-uuid']) {
        const res = await t.http.post(`/v1/admin/jobs/${bad}/retry`).set(admin()).expect(404);
        expect(res.body.error).toBe('NOT_FOUND');
      }
    });

    it('replays it once the cause is fixed; replaying again changes nothing', async () => {
      fixed = true;
      const res = await t.http.post(`/v1/admin/jobs/${id}/retry`).set(admin()).expect(200);
      expect(res.body).toMatchObject({ id, retryLimit: 3 });
      expect(['retry', 'active', 'completed']).toContain(res.body.state);
      await waitFor('the replayed job to complete', async () => (await job(id)).state === 'completed', 20_000);
      expect(attempts).toHaveLength(4);
      expect((await job(id)).output).toEqual({ delivered: true });
      const again = await t.http.post(`/v1/admin/jobs/${id}/retry`).set(admin()).expect(200);
      expect(again.body).toMatchObject({ id, state: 'completed', retryLimit: 3 });
      expect(attempts).toHaveLength(4);
    });
  });

  it('two replicas share one queue: every job runs exactly once', async () => {
    const COUNT = 60;
    // Each replica's first job waits until the other replica holds one too: both really take part.
    const started = { a: gate(), b: gate() };
    const handler = (replica: 'a' | 'b', other: 'a' | 'b') => async (data: { n: number }, ctx: { id: string }) => {
      started[replica].open();
      await started[other].promise;
      await t.dataSource.query(`INSERT INTO job_runs (job_id, replica, n) VALUES ($1, $2, $3)`, [ctx.id, replica, data.n]);
    };
    await jobs.register('replica-job', handler('a', 'b'), { retryLimit: 0, retryDelaySeconds: 1, concurrency: 2 });
    await second
      .get(JobsService)
      .register('replica-job', handler('b', 'a'), { retryLimit: 0, retryDelaySeconds: 1, concurrency: 2 });
    const ids = await txHost.run(async () => {
      const out: string[] = [];
      for (let n = 0; n < COUNT; n++) out.push((await jobs.enqueue('replica-job', { n }))!);
      return out;
    });
    await waitFor(
      'every job to run',
      async () => ((await t.dataSource.query(`SELECT count(*)::int AS n FROM job_runs`)) as { n: number }[])[0].n >= COUNT,
      30_000,
    );
    const runs = (await t.dataSource.query(`SELECT job_id, replica FROM job_runs`)) as { job_id: string; replica: string }[];
    expect(runs).toHaveLength(COUNT);
    expect(new Set(runs.map((r) => r.job_id))).toEqual(new Set(ids));
    expect(new Set(runs.map((r) => r.replica))).toEqual(new Set(['a', 'b']));
  });

  it('replicas creating new queues at the same instant all succeed, each queue created once', async () => {
    // Creating a queue attaches a partition to pg-boss's job table; unserialised, replicas
    // starting together deadlocked here (CI, three replicas). Both replicas, eight new
    // types each, all at once.
    const names = Array.from({ length: 8 }, (_, i) => `new-queue-${i}`);
    const policy = { retryLimit: 0, retryDelaySeconds: 1 };
    const noop = async () => undefined;
    const secondJobs = second.get(JobsService);
    await Promise.all(names.flatMap((name) => [jobs.register(name, noop, policy), secondJobs.register(name, noop, policy)]));
    const queues = (await t.dataSource.query(
      `SELECT name, count(*)::int AS n FROM pgboss.queue WHERE name LIKE 'new-queue-%' GROUP BY name ORDER BY name`,
    )) as { name: string; n: number }[];
    expect(queues).toEqual(names.map((name) => ({ name, n: 1 })));
    const id = await jobs.enqueue('new-queue-7', {});
    expect(await jobs.get(id!)).toMatchObject({ queue: 'new-queue-7' });
  });

  it('shutdown waits for a running job to finish before it returns', async () => {
    const running = gate();
    const release = gate();
    let finished = false;
    const events: string[] = [];
    await second.get(JobsService).register(
      'slow-job',
      async () => {
        running.open();
        await release.promise;
        finished = true;
        events.push('job finished');
      },
      { retryLimit: 0, retryDelaySeconds: 1 },
    );
    const id = (await second.get(JobsService).enqueue('slow-job', {}))!;
    await running.promise;
    const closing = second.close().then(() => events.push('app closed'));
    // The app is closing with the job mid-way; let it go on and finish.
    setTimeout(() => release.open(), 300);
    await closing;
    expect(finished).toBe(true);
    expect(events).toEqual(['job finished', 'app closed']);
    expect((await job(id)).state).toBe('completed');
  });
});
