import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OBJECT_STORE, type ObjectStore } from '@holdfast/object-store';
import { AnalyticsExportJob, EXPORT_DAY_JOB, dayKey, runKey } from '../src/analytics/analytics-export.job';
import { ANALYTICS_GUEST, AnalyticsBookings } from './support/analytics-bookings';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The nightly analytics export (DESIGN.md section 13, docs/analytics.md): after the
 * export hour, each of the last 7 UTC days becomes one gzipped NDJSON file in the object
 * store, written by a job per day; a night's run is queued once; a re-run replaces the
 * files, so a cancellation made after the first export reaches its day's file.
 */
describe('nightly analytics export to the object store', () => {
  let t: TestApp;
  let b: AnalyticsBookings;
  let store: ObjectStore;
  let job: AnalyticsExportJob;
  const today = utcDay(Date.now()); // the database's day: bookings are stamped with its now()
  const ids: string[] = [];

  /** The records of a day's file: gunzipped, one JSON object per line. */
  const fileOf = async (day: string) => {
    const body = await store.get(dayKey(day));
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const text = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    expect(text === '' || text.endsWith('\n')).toBe(true);
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  /** Export jobs of a day in a state. */
  const jobsOf = async (day: string, state: string) =>
    (
      (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'day' = $2 AND state = $3`,
        [EXPORT_DAY_JOB, day, state],
      )) as { n: number }[]
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENT_PROVIDER: 'simulated', ANALYTICS_EXPORT_HOUR_UTC: '2', ANALYTICS_EXPORT_DAYS: '7' },
    });
    b = new AnalyticsBookings(t);
    store = t.app.get<ObjectStore>(OBJECT_STORE);
    job = t.app.get(AnalyticsExportJob);
    await b.setUp();
    ids.push(await b.confirmed('fay', 2), await b.confirmed('gus', 1), await b.hold('hal', 1));
  }, 60_000);
  afterAll(async () => t.close());

  it('waits for the export hour, then queues the last 7 UTC days once and writes one file per day', async () => {
    const tomorrow = Date.parse(`${today}T00:00:00Z`) + DAY_MS;
    t.clock.set(tomorrow + 1 * 3_600_000); // 01:00 UTC, before ANALYTICS_EXPORT_HOUR_UTC=2
    expect(await job.nightly()).toEqual([]);
    expect(await store.get(runKey(utcDay(tomorrow)))).toBeNull();

    t.clock.set(tomorrow + 3 * 3_600_000); // 03:00 UTC
    const days = await job.nightly();
    expect(days).toEqual(Array.from({ length: 7 }, (_, i) => utcDay(tomorrow - (i + 1) * DAY_MS)));
    expect(days[0]).toBe(today);
    expect(await job.nightly()).toEqual([]); // the night's marker: queued once, on every replica
    (await store.get(runKey(utcDay(tomorrow))))?.destroy();

    await waitFor(
      'the 7 export jobs',
      async () => (await Promise.all(days.map((day) => jobsOf(day, 'completed')))).every((n) => n === 1),
      30_000,
    );
    for (const day of days) {
      const records = await fileOf(day);
      expect({ day, records: records?.map((r) => r.reservationId).sort() }).toEqual({
        day,
        records: day === today ? [...ids].sort() : [],
      });
    }
    const confirmed = (await fileOf(today))!.find((r) => r.reservationId === ids[0])!;
    expect(confirmed).toMatchObject({ status: 'confirmed', paymentStatus: 'paid', cancelledAt: null, refundedAmount: 0 });
    const text = JSON.stringify(await fileOf(today));
    for (const secret of Object.values(ANALYTICS_GUEST)) expect(text).not.toContain(secret);
  });

  it('replaces the day on a re-run (the admin route, audited), so a late cancellation reaches the file', async () => {
    await b.cancel('fay', ids[0]);
    const admin = b.as('ops', ['admin']);
    const res = await t.http.post('/v1/admin/analytics/exports').set(admin).send({ days: 1 }).expect(202);
    expect(res.body).toEqual({ days: [today], keys: [dayKey(today)] });
    await waitFor('the re-run', async () => (await jobsOf(today, 'completed')) === 2, 30_000);

    const records = (await fileOf(today))!;
    expect(records.map((r) => r.reservationId).sort()).toEqual([...ids].sort()); // replaced, not appended
    const cancelled = records.find((r) => r.reservationId === ids[0])!;
    const view = await b.view(ids[0]);
    expect(cancelled).toMatchObject({ status: view.status, refundedAmount: 20000 });
    expect(cancelled[`${view.status as string}At`]).toEqual(expect.any(String));

    const audit = await t.http.get('/v1/admin/audit').query({ recordType: 'analytics_export' }).set(admin).expect(200);
    expect(audit.body.entries).toEqual([expect.objectContaining({ actor: 'ops', action: 'run', after: { days: [today] } })]);
    await t.http.post('/v1/admin/analytics/exports').set(admin).send({ days: 0 }).expect(400);
    await t.http.post('/v1/admin/analytics/exports').set(b.as('fay')).send({}).expect(403);
  });

  it('writes a day straight from exportDay too, and refuses what is not a day', async () => {
    const written = await job.exportDay(today);
    expect(written).toMatchObject({ key: dayKey(today), records: ids.length });
    await expect(job.exportDay('2026-1-1')).rejects.toThrow('not a day');
  });
});
