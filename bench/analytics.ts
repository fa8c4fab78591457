/**
 * `npm run bench:analytics`: the analytics export (docs/analytics.md) against a year of
 * bookings, and the place of the revenue report's timing (docs/benchmarks.md, "Analytics").
 *
 * 1. Database: DATABASE_URL's server (a fresh database, dropped after) or an embedded
 *    PostgreSQL in a temp dir. The app runs as a child process (`node dist/src/main.js`)
 *    and migrates it on boot.
 * 2. Seeds BENCH_ANALYTICS_BOOKINGS bookings (default 300,000) spread over the last 365
 *    days by SQL generate_series into the real tables (bench/support/analytics-seed.ts).
 * 3. Phases:
 *    - `pages`: walks the whole year as JSON pages of BENCH_ANALYTICS_PAGE (1,000)
 *      bookings, following nextCursor; prints pages, records, seconds, records/s and the
 *      p50/p99 page time;
 *    - `ndjson`: streams the range of the first BENCH_ANALYTICS_STREAM bookings (200,000)
 *      with `Accept: application/x-ndjson`, counting lines as they arrive, while sampling
 *      the app process's RSS every 50 ms (/proc/<pid>/status, Linux); prints rows,
 *      seconds, rows/s, MB/s, RSS before and at most, and the growth against the target
 *      (< 50 MB). A second pass reads slowly (a pause every 1,000 lines) to show that
 *      backpressure holds memory flat when the client is slower than the database;
 *    - `revenue`: the revenue report's timing; see `revenueReportPhase`.
 *
 * Environment: BENCH_ANALYTICS_BOOKINGS, BENCH_ANALYTICS_STREAM, BENCH_ANALYTICS_PAGE,
 * BENCH_ANALYTICS_PHASES (ndjson,pages,revenue; run in that order), DB_POOL_SIZE (10).
 * Exits 1 when the stream's RSS growth reaches 50 MB or a count is wrong.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mintDevToken } from '../src/auth/dev-token.service';
import { type App, startApp } from './support/app-process';
import { type AnalyticsSeed, seedYear } from './support/analytics-seed';
import { cleanUpOnSignals, cleanup, cleanups, fmt, intEnv, note, out, sleep } from './support/common';
import { createBenchDatabase } from './support/database';
import { rssMb } from './support/rss';

const BOOKINGS = intEnv('BENCH_ANALYTICS_BOOKINGS', 300_000, 1000);
const STREAM_ROWS = Math.min(intEnv('BENCH_ANALYTICS_STREAM', 200_000, 1), BOOKINGS);
const PAGE = intEnv('BENCH_ANALYTICS_PAGE', 1000, 1);
const POOL_SIZE = intEnv('DB_POOL_SIZE', 10, 1);
const PHASES = (process.env.BENCH_ANALYTICS_PHASES ?? 'ndjson,pages,revenue').split(',').map((p) => p.trim());
const RSS_TARGET_MB = 50;
const JWT_SECRET = randomBytes(24).toString('hex');

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function pagesPhase(app: App, token: string, seed: AnalyticsSeed): Promise<boolean> {
  const base = `http://127.0.0.1:${app.port}/v1/bookings/analytics`;
  const times: number[] = [];
  let records = 0;
  let cursor: string | null = null;
  const started = performance.now();
  do {
    const url = new URL(base);
    url.search = new URLSearchParams({
      from: seed.from.toISOString(),
      to: seed.to.toISOString(),
      limit: String(PAGE),
      ...(cursor ? { cursor } : {}),
    }).toString();
    const t0 = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`page: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { data: unknown[]; nextCursor: string | null };
    times.push(performance.now() - t0);
    records += body.data.length;
    cursor = body.nextCursor;
  } while (cursor);
  const seconds = (performance.now() - started) / 1000;
  out(`JSON pages of ${fmt(PAGE)} bookings over the year (${fmt(seed.bookings)} bookings)`);
  out(`  pages ${fmt(times.length)}, records ${fmt(records)}, ${fmt(seconds, 1)} s, ${fmt(records / seconds)} records/s`);
  out(`  page time p50 ${fmt(percentile(times, 50), 1)} ms, p99 ${fmt(percentile(times, 99), 1)} ms`);
  if (records !== seed.bookings) note(`expected ${seed.bookings} records, read ${records}`);
  return records === seed.bookings;
}

/** Streams [from, to) as NDJSON, counting lines; `pauseEvery` lines the reader sleeps 20 ms (a slow client). */
async function streamOnce(app: App, token: string, from: Date, to: Date, pauseEvery = 0, expected = 0) {
  const url = new URL(`http://127.0.0.1:${app.port}/v1/bookings/analytics`);
  url.search = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() }).toString();
  const before = rssMb(app.pid);
  let peak = before ?? 0;
  const timeline: number[] = []; // RSS (MB) each time another tenth of the rows has arrived
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(app.pid) ?? 0)), 50);
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  let firstByteMs = 0;
  try {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/x-ndjson' } });
    if (!res.ok || !res.body) throw new Error(`stream: ${res.status} ${await res.text()}`);
    let nextPause = pauseEvery;
    for await (const chunk of res.body) {
      if (!firstByteMs) firstByteMs = performance.now() - started;
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines++;
      if (expected && lines >= ((timeline.length + 1) * expected) / 10) timeline.push(rssMb(app.pid) ?? 0);
      if (pauseEvery && lines >= nextPause) {
        nextPause += pauseEvery;
        await sleep(20);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, rssMb(app.pid) ?? 0);
  return { lines, bytes, seconds, firstByteMs, before, peak, growth: before === null ? null : peak - before, timeline };
}

async function ndjsonPhase(app: App, token: string, seed: AnalyticsSeed): Promise<boolean> {
  const to = await seed.after(STREAM_ROWS);
  // A warm-up stream first (a tenth of the range, not counted), so the measured ones start
  // from a warm app: its JIT, its pool, and V8's young generation grown to its working
  // size. From a cold start the first 20,000 rows took RSS from ~160 to ~190-200 MB once,
  // whatever the range; after that it stays flat (docs/benchmarks.md, "Analytics export").
  await streamOnce(app, token, seed.from, await seed.after(Math.min(20_000, STREAM_ROWS)));
  let ok = true;
  for (const [label, pause] of [
    ['full speed', 0],
    ['full speed, again', 0],
    ['slow reader (20 ms pause every 1,000 lines)', 1000],
  ] as const) {
    const run = await streamOnce(app, token, seed.from, to, pause, STREAM_ROWS);
    const growth = run.growth === null ? 'n/a (no /proc)' : `${fmt(run.growth, 1)} MB`;
    const pass = run.growth === null || run.growth < RSS_TARGET_MB;
    out(`NDJSON export of the first ${fmt(STREAM_ROWS)} bookings, ${label}`);
    out(
      `  rows ${fmt(run.lines)}, ${fmt(run.seconds, 1)} s, ${fmt(run.lines / run.seconds)} rows/s, ` +
        `${fmt(run.bytes / 1048576 / run.seconds, 1)} MB/s (${fmt(run.bytes / 1048576, 1)} MB), first byte ${fmt(run.firstByteMs)} ms`,
    );
    out(
      `  app RSS before ${run.before === null ? 'n/a' : fmt(run.before, 1)} MB, peak ${fmt(run.peak, 1)} MB, ` +
        `growth ${growth} (target < ${RSS_TARGET_MB} MB: ${pass ? 'met' : 'MISSED'})`,
    );
    out(`  app RSS (MB) after each tenth of the rows: ${run.timeline.map((mb) => fmt(mb)).join(' ')}`);
    if (run.lines !== STREAM_ROWS) note(`expected ${STREAM_ROWS} rows, read ${run.lines}`);
    ok = ok && pass && run.lines === STREAM_ROWS;
  }
  return ok;
}

const REVENUE_RUNS = 5;

/**
 * The revenue report over the seeded year, as the admin dashboard asks for it: POST /graphql
 * `revenueReport(from, to, groupBy)` as an admin, REVENUE_RUNS times per grouping (DAY,
 * WEEK, MONTH), printing the median and the slowest. Its net total over the whole year is
 * checked against the payments and refunds tables read directly.
 */
async function revenueReportPhase(app: App, _token: string, seed: AnalyticsSeed, db: pg.Client): Promise<boolean> {
  const admin = mintDevToken(JWT_SECRET, { sub: 'bench-admin', roles: ['admin'] }, 86_400);
  const from = seed.from.toISOString();
  // Refunds come a day after their payment; the report spans at most 366 days.
  const to = new Date(Math.min(seed.to.getTime() + 2 * 86_400_000, seed.from.getTime() + 366 * 86_400_000)).toISOString();
  // The same money read straight from the tables: captured payments made in [from, to),
  // minus the succeeded refunds made in [from, to).
  const { rows } = await db.query<{ net: string }>(
    `SELECT (SELECT coalesce(sum(captured_cents), 0) FROM payments
              WHERE currency = 'EUR' AND created_at >= $1 AND created_at < $2)
          - (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r JOIN payments p ON p.id = r.payment_id
              WHERE p.currency = 'EUR' AND r.status = 'succeeded' AND r.created_at >= $1 AND r.created_at < $2) AS net`,
    [from, to],
  );
  const expected = Number(rows[0].net);
  let ok = true;
  for (const groupBy of ['DAY', 'WEEK', 'MONTH'] as const) {
    const times: number[] = [];
    let lines = 0;
    let net = 0;
    for (let run = 0; run < REVENUE_RUNS; run++) {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${app.port}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query($from: String!, $to: String!, $groupBy: RevenueGroupBy!) {
            revenueReport(from: $from, to: $to, groupBy: $groupBy, currency: "EUR") { periodStart offeringKind net }
          }`,
          variables: { from, to, groupBy },
        }),
      });
      const body = (await response.json()) as {
        data?: { revenueReport: { net: number }[] };
        errors?: unknown[];
      };
      times.push(performance.now() - started);
      if (!response.ok || !body.data) {
        note(`revenueReport ${groupBy} answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
        return false;
      }
      lines = body.data.revenueReport.length;
      net = body.data.revenueReport.reduce((sum, line) => sum + line.net, 0);
    }
    times.sort((a, b) => a - b);
    const right = net === expected;
    out(
      `Revenue report over the year by ${groupBy}: ${fmt(lines)} lines, median ${fmt(times[Math.floor(times.length / 2)])} ms, ` +
        `slowest ${fmt(times[times.length - 1])} ms of ${REVENUE_RUNS}; net ${fmt(net)} = the tables' ${fmt(expected)}: ${right ? 'yes' : 'NO'}`,
    );
    ok = ok && right;
  }
  return ok;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  note(`database ready on ${database.where} (PostgreSQL ${database.serverVersion}); starting the app (pool ${POOL_SIZE})`);
  const app = await startApp(database.url, {
    nodeOptions: (process.env.BENCH_APP_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
  });
  const db = new pg.Client({ connectionString: database.url, application_name: 'holdfast-bench' });
  await db.connect();
  cleanups.push({ name: 'bench connection', run: () => db.end() });
  note(`seeding ${fmt(BOOKINGS)} bookings over a year`);
  const seeding = performance.now();
  const seed = await seedYear(db, BOOKINGS);
  note(`seeded in ${fmt((performance.now() - seeding) / 1000, 1)} s`);
  const token = mintDevToken(JWT_SECRET, { sub: 'bench-forecasting', scopes: ['holdfast/analytics.read'] }, 86_400);

  out(
    `npm run bench:analytics: ${fmt(BOOKINGS)} bookings, PostgreSQL ${database.serverVersion} (${database.where}), pool ${POOL_SIZE}`,
  );
  let ok = true;
  // The stream first, on the app as seeding left it (after a 5,000-row warm-up stream): the
  // JSON walk's 1 MB pages grow V8's heap limits, after which the stream's GC sawtooth is
  // wider (docs/benchmarks.md, "Analytics export", has both orders).
  if (PHASES.includes('ndjson')) ok = (await ndjsonPhase(app, token, seed)) && ok;
  if (PHASES.includes('pages')) ok = (await pagesPhase(app, token, seed)) && ok;
  if (PHASES.includes('revenue')) ok = (await revenueReportPhase(app, token, seed, db)) && ok;
  app.assertAlive();
  const errors = app.errorLog();
  if (errors.count > 0) {
    note(`the app logged ${errors.count} errors:\n${errors.first.join('\n')}`);
    ok = false;
  }
  failed = !ok;
}

let failed = false;

cleanUpOnSignals();
main()
  .catch((error: unknown) => {
    note(`failed: ${(error as Error).stack ?? String(error)}`);
    failed = true;
  })
  .finally(async () => {
    await cleanup();
    process.exit(failed ? 1 : 0); // the embedded server's shutdown must not decide the exit code
  });
