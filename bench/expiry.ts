/**
 * `npm run bench:expiry`: the hold expiry sweep at scale (issue 16 target 2): 100,000
 * holds past their time swept by the app's own code while a hold load runs, and what the
 * sweep does to that load (docs/benchmarks.md, "Expiry at scale").
 *
 * 1. Database and app as in bench:holds: a fresh database on DATABASE_URL's server or an
 *    embedded PostgreSQL; the app as a child process, here with
 *    HOLD_SWEEP_INTERVAL_SECONDS=BENCH_EXPIRY_SWEEP_INTERVAL (1) and a METRICS_TOKEN.
 *    Seeds one experience with 10,000 slots of capacity 1,000 (bench/support/slots-seed.ts).
 * 2. Creates BENCH_EXPIRY_HOLDS holds (100,000) with pgbench running `pgbenchScript`, the
 *    app's own one-slot hold statement: each a reservation, its item, its slot allocation,
 *    its `held` outbox event and its idempotency key, on a random slot of the 10,000;
 *    then VACUUM ANALYZE, as autovacuum would have done in the 15 minutes they live.
 * 3. Baseline: 3 s of warm-up, then the hold load of bench:holds (autocannon, 64
 *    connections, a random slot per request, its own idempotency key) for BENCH_DURATION
 *    (20) seconds, with the in-app sweep running every second and finding nothing.
 * 4. Sweep: moves the created holds' hold_expires_at (the only expiry the sweep reads:
 *    `status = 'held' AND hold_expires_at <= now()`; allocations carry none) to an instant
 *    T, BENCH_EXPIRY_LEAD (15) seconds after the UPDATE starts; VACUUMs the table again;
 *    starts the same load; at T the holds turn expired by themselves and the app's
 *    scheduled sweep (HoldExpiryJob.sweep, batches of 5,000, each one statement: lock,
 *    status `expired`, one `expired` outbox event per hold, then release the allocations
 *    and the slot counters) expires them. The sweep's time runs from T until no hold is
 *    left held past its time: the sweep's own condition, asked as an EXISTS on its index
 *    (idx_reservations_hold_expiry) on the bench's connection every
 *    BENCH_EXPIRY_POLL_MS (50), so the poll takes nothing from the app or its pool (GET
 *    /metrics, which also counts pg-boss's queues, took a pooled connection ~80 ms a
 *    time under this load); holds_expired_total is checked once at the end. The load
 *    stops BENCH_EXPIRY_TAIL (2) seconds later. With
 *    BENCH_EXPIRY_SWEEP=cli the app never sweeps (interval an hour) and at T the bench
 *    runs `node dist/src/cli/holds-expire.js` (the cron entry point, the same
 *    HoldExpiryJob.sweep()), timed from T to its exit.
 * 5. Prints the sweep's time (target < 10 s) and its batches (from the swept rows'
 *    updated_at, each batch's transaction start), the hold load's holds/s, p50 and p99
 *    in the baseline, in the seconds before T, while the sweep ran and after it (target:
 *    p99 while it ran at most 2x the lower of the first two), from the bench's own
 *    per-request timing (autocannon's too for the baseline), with the share of the
 *    machine other processes took in each window, the 5xx count, CPU, and
 *    the app's RSS per phase (target < BENCH_RSS_LIMIT_MB, 250; printed and in BENCH_JSON,
 *    not in the exit code, as in bench:holds).
 * 6. Checks: every created hold is `expired` (HOLD_EXPIRED) with its allocation released
 *    and exactly one `expired` event; no hold of the load expired; holds_expired_total
 *    equals the count; the inventory invariants of bench:holds (counters equal the
 *    ledger, places held = held reservations); every 200 of both loads made its reservation.
 *
 * Environment: BENCH_EXPIRY_HOLDS (100000), BENCH_DURATION (baseline seconds, 20),
 * BENCH_CONNECTIONS (64), BENCH_WARMUP (3, 0 = none), BENCH_EXPIRY_LEAD (15),
 * BENCH_EXPIRY_TAIL (2), BENCH_EXPIRY_TIMEOUT (seconds to wait for the sweep, 300),
 * BENCH_EXPIRY_SWEEP (app or cli), BENCH_EXPIRY_SWEEP_INTERVAL (1), BENCH_EXPIRY_POLL_MS
 * (50), DB_POOL_SIZE (10), BENCH_PGBENCH (path, default pgbench; required),
 * BENCH_PGBENCH_CLIENTS (clients creating the holds, 10), BENCH_PGBENCH_THREADS (2),
 * BENCH_APP_NODE_OPTIONS, BENCH_RSS_LIMIT_MB (250), BENCH_RSS_INTERVAL_MS (250),
 * BENCH_JSON (write the results there as JSON).
 *
 * Exits 1 when a check fails (the sweep not done within BENCH_EXPIRY_TIMEOUT is one), on
 * any 5xx or connection error, or when pgbench fails.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type App, benchAppEnv, startApp } from './support/app-process';
import { cleanUpOnSignals, cleanups, fmt, intEnv, note, out, printTable, reportResult, runBench, sleep } from './support/common';
import { type CpuSnapshot, type CpuUse, cpuLine, cpuSnapshot, cpuUse, findPostmaster } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { type InvariantReport, checkInvariants, checkPhaseWrites, countReservations, waitForQuiet } from './support/hold-checks';
import { type LoadResult, benchTokens, driveHolds, nowMs, slotHoldBody, windowFigures } from './support/hold-load';
import { type PgbenchSettings, pgbenchAvailable, pgbenchScript, runPgbench, waitForPgbenchGone } from './support/pgbench';
import { RssSampler, rssLines } from './support/rss';
import { seedSlots } from './support/slots-seed';

// ---------------------------------------------------------------------------------------
// Settings

const HOLDS = intEnv('BENCH_EXPIRY_HOLDS', 100_000, 1);
const DURATION = intEnv('BENCH_DURATION', 20, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 64, 1);
const WARMUP = intEnv('BENCH_WARMUP', 3, 0);
const LEAD = intEnv('BENCH_EXPIRY_LEAD', 15, 5);
const TAIL = intEnv('BENCH_EXPIRY_TAIL', 2, 0);
const TIMEOUT = intEnv('BENCH_EXPIRY_TIMEOUT', 300, 1);
const SWEEP = (process.env.BENCH_EXPIRY_SWEEP || 'app') as 'app' | 'cli';
const SWEEP_INTERVAL = intEnv('BENCH_EXPIRY_SWEEP_INTERVAL', 1, 1);
const POLL_MS = intEnv('BENCH_EXPIRY_POLL_MS', 50, 10);
const POOL_SIZE = intEnv('DB_POOL_SIZE', 10, 1);
const PGBENCH = process.env.BENCH_PGBENCH || 'pgbench';
const PGBENCH_CLIENTS = intEnv('BENCH_PGBENCH_CLIENTS', 10, 1);
const PGBENCH_THREADS = intEnv('BENCH_PGBENCH_THREADS', 2, 1);
const APP_NODE_OPTIONS = (process.env.BENCH_APP_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
const RSS_LIMIT_MB = intEnv('BENCH_RSS_LIMIT_MB', 250, 1);
const RSS_INTERVAL_MS = intEnv('BENCH_RSS_INTERVAL_MS', 250, 10);
if (SWEEP !== 'app' && SWEEP !== 'cli') throw new Error(`BENCH_EXPIRY_SWEEP must be app or cli, got "${SWEEP}"`);

const SLOT_COUNT = 10_000;
const SLOT_CAPACITY = 1_000;
const PRICE_CENTS = 10_000;
/** The user of every hold pgbench creates (`pgbenchScript`): the holds to sweep. */
const SWEPT_USER = 'pgbench-user';
const JWT_SECRET = `bench-${randomBytes(16).toString('hex')}`;
const METRICS_TOKEN = randomBytes(16).toString('hex');
const TARGET_SWEEP_SECONDS = 10;
const TARGET_P99_RATIO = 2;
/** dist/bench/expiry.js -> dist/src/cli/holds-expire.js (the cron entry point of the same build). */
const HOLDS_EXPIRE_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../src/cli/holds-expire.js');

cleanUpOnSignals();

// ---------------------------------------------------------------------------------------
// The holds to sweep

/** Creates HOLDS holds with pgbench (the app's hold statement), on random slots; seconds taken. */
async function createHolds(url: string, offeringId: string): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'holdfast-bench-expiry-'));
  cleanups.push({ name: 'pgbench dir', run: () => rmSync(workDir, { recursive: true, force: true }) });
  const scriptPath = join(workDir, 'hold.sql');
  writeFileSync(scriptPath, pgbenchScript(offeringId, PRICE_CENTS));
  const settings: PgbenchSettings = {
    bin: PGBENCH,
    modes: ['prepared'],
    threads: PGBENCH_THREADS,
    atPool: false,
    connections: PGBENCH_CLIENTS,
    poolSize: POOL_SIZE,
  };
  // -t is per client: the clients share what divides evenly, one more client each for the rest.
  const clients = Math.min(PGBENCH_CLIENTS, HOLDS);
  const each = Math.floor(HOLDS / clients);
  const rest = HOLDS - each * clients;
  const runs = [{ clients, transactions: each }, ...(rest > 0 ? [{ clients: rest, transactions: 1 }] : [])];
  const started = Date.now();
  for (const run of runs) {
    const result = await runPgbench(settings, url, scriptPath, [1, SLOT_COUNT], { mode: 'prepared', clients: run.clients }, run);
    if (!result.ok || result.transactions !== run.clients * run.transactions) {
      throw new Error(`pgbench did not create the holds (${result.transactions} transactions):\n${result.output}`);
    }
  }
  return (Date.now() - started) / 1000;
}

async function countSweptHolds(db: pg.Client, status: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM reservations WHERE user_id = $1 AND status = $2`, [
    SWEPT_USER,
    status,
  ]);
  return (rows[0] as { n: number }).n;
}

/** Whether any hold is still held past its time: the sweep's own condition, on its partial index. */
async function anyHoldPastItsTime(db: pg.Client): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT EXISTS (SELECT 1 FROM reservations WHERE status = 'held' AND hold_expires_at <= now()) AS any`,
  );
  return (rows[0] as { any: boolean }).any;
}

/** The app's holds_expired_total (GET /metrics). */
async function expiredTotal(app: App): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${app.port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const match = /^holds_expired_total (\S+)$/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

/**
 * `node dist/src/cli/holds-expire.js` against the bench database: its exit code and
 * output, or null when it is still running after `timeoutMs` (then it is killed).
 */
async function runCliSweep(url: string, timeoutMs: number): Promise<{ code: number | null; output: string } | null> {
  const child = spawn(process.execPath, [HOLDS_EXPIRE_CLI], {
    env: benchAppEnv(url, { jwtSecret: JWT_SECRET, poolSize: POOL_SIZE, env: { HOLD_SWEEP_INTERVAL_SECONDS: '3600' } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; output: string }>((done) =>
    child.on('exit', (code) => done({ code, output })),
  );
  const result = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
  if (result === null) {
    child.kill('SIGKILL');
    await exited;
  }
  return result;
}

/** The sweep's batches: each batch's transaction start (the swept rows' updated_at) and how many it expired. */
async function sweepBatches(db: pg.Client): Promise<{ at: number; holds: number }[]> {
  const { rows } = await db.query(
    `SELECT extract(epoch FROM updated_at) * 1000 AS at, count(*)::int AS holds
       FROM reservations WHERE user_id = $1 AND status = 'expired' GROUP BY updated_at ORDER BY updated_at`,
    [SWEPT_USER],
  );
  return rows.map((r: { at: string; holds: number }) => ({ at: Number(r.at), holds: r.holds }));
}

/**
 * What the sweep must have done to every created hold, and not to the load's: each is
 * expired for HOLD_EXPIRED, no allocation of it is live, it has exactly one `expired`
 * event; no other reservation left `held`; the metric counted each once.
 */
async function checkSwept(db: pg.Client, metricTotal: number | null): Promise<InvariantReport> {
  const problems: string[] = [];
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM reservations WHERE user_id = $1)::int AS created,
            (SELECT count(*) FROM reservations WHERE user_id = $1 AND status = 'expired' AND status_reason = 'HOLD_EXPIRED')::int AS expired,
            (SELECT count(*) FROM allocations a JOIN reservations r ON r.id = a.reservation_id
              WHERE r.user_id = $1 AND a.state <> 'released')::int AS live_allocations,
            (SELECT count(*) FROM allocations a JOIN reservations r ON r.id = a.reservation_id
              WHERE r.user_id = $1 AND a.state = 'released')::int AS released_allocations,
            (SELECT count(*) FROM outbox_events e JOIN reservations r ON r.id = e.reservation_id
              WHERE r.user_id = $1 AND e.type = 'expired')::int AS events,
            (SELECT count(DISTINCT e.reservation_id) FROM outbox_events e JOIN reservations r ON r.id = e.reservation_id
              WHERE r.user_id = $1 AND e.type = 'expired')::int AS events_holds,
            (SELECT count(*) FROM reservations WHERE user_id <> $1 AND status <> 'held')::int AS load_not_held`,
    [SWEPT_USER],
  );
  const c = rows[0] as Record<string, number>;
  if (c.created !== HOLDS) problems.push(`${fmt(c.created)} holds created, not ${fmt(HOLDS)}`);
  if (c.expired !== c.created) problems.push(`${fmt(c.created - c.expired)} created hold(s) not expired (HOLD_EXPIRED)`);
  if (c.live_allocations > 0) problems.push(`${fmt(c.live_allocations)} allocation(s) of swept holds still live`);
  if (c.released_allocations !== c.created) {
    problems.push(`${fmt(c.released_allocations)} released allocations for ${fmt(c.created)} swept holds (one each)`);
  }
  if (c.events !== c.created || c.events_holds !== c.created) {
    problems.push(`${fmt(c.events)} expired events on ${fmt(c.events_holds)} of ${fmt(c.created)} swept holds (one each)`);
  }
  if (c.load_not_held > 0) problems.push(`${fmt(c.load_not_held)} hold(s) of the load not held any more`);
  if (metricTotal !== null && metricTotal !== HOLDS)
    problems.push(`holds_expired_total is ${fmt(metricTotal)}, not ${fmt(HOLDS)}`);
  return { ok: problems.length === 0, problems };
}

// ---------------------------------------------------------------------------------------
// Main

interface SweepResult {
  /** When the holds turned expired (epoch ms). */
  expiredAt: number;
  /** When every one was seen expired (epoch ms), or null (not within BENCH_EXPIRY_TIMEOUT). */
  doneAt: number | null;
  method: string;
  /** CPU snapshots at T and when every hold was seen expired. */
  atT: CpuSnapshot;
  atDone: CpuSnapshot | null;
  cliOutput?: string;
}

const withoutSets = ({ okKeys: _o, failedKeys: _f, unansweredKeys: _u, timeline: _t, ...figures }: LoadResult) => figures;

async function main(): Promise<void> {
  const started = Date.now();
  if (!(await pgbenchAvailable(PGBENCH))) throw new Error(`pgbench (${PGBENCH}) is not available: it creates the holds`);
  const database = await createBenchDatabase();
  note(`database ready on ${database.where} (PostgreSQL ${database.serverVersion}); starting the app (pool ${POOL_SIZE})`);
  const rss = new RssSampler(RSS_LIMIT_MB, RSS_INTERVAL_MS);
  const app = await startApp(database.url, {
    nodeOptions: APP_NODE_OPTIONS,
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
    env: { HOLD_SWEEP_INTERVAL_SECONDS: String(SWEEP === 'app' ? SWEEP_INTERVAL : 3600), METRICS_TOKEN },
    onSpawn: (pid) => rss.start(pid, 'boot'),
  });
  note(`app ready on port ${app.port}`);
  rss.phase('seed');

  const db = new pg.Client({ connectionString: database.url, application_name: 'holdfast-bench' });
  await db.connect();
  cleanups.push({ name: 'bench connection', run: () => db.end() });
  const postmaster = await findPostmaster(db);
  const { offeringId, slotIds } = await seedSlots(db, { count: SLOT_COUNT, capacity: SLOT_CAPACITY, priceCents: PRICE_CENTS });
  await db.query('ANALYZE');

  rss.phase('create');
  note(`creating ${fmt(HOLDS)} holds with pgbench (${PGBENCH_CLIENTS} clients, the app's hold statement)`);
  const createSeconds = await createHolds(database.url, offeringId);
  await waitForPgbenchGone(db);
  const createdHeld = await countSweptHolds(db, 'held');
  if (createdHeld !== HOLDS) throw new Error(`${createdHeld} holds are held after pgbench, not ${HOLDS}`);
  await db.query('VACUUM ANALYZE');
  note(`created ${fmt(HOLDS)} holds in ${fmt(createSeconds, 1)} s (${fmt(HOLDS / createSeconds)} holds/s)`);

  const tokens = benchTokens(JWT_SECRET, CONNECTIONS);
  const run = Date.now().toString(36);
  const body = () => slotHoldBody(offeringId, slotIds[Math.floor(Math.random() * slotIds.length)]);
  const load = (seconds: number, keyPrefix: string, stop?: Promise<unknown>) =>
    driveHolds({ port: app.port, connections: CONNECTIONS, seconds, keyPrefix, tokens, body, stop, timeline: true });

  if (WARMUP > 0) {
    rss.phase('warmup');
    note(`warming up the app for ${WARMUP} s (not counted)`);
    await load(WARMUP, `warm-${run}`);
    await waitForQuiet(db);
  }

  // Baseline: the load with nothing to sweep.
  rss.phase('baseline');
  note(`baseline: ${CONNECTIONS} connections, ${DURATION} s, no sweep`);
  app.assertAlive();
  let before = await countReservations(db);
  const cpuBaselineBefore = cpuSnapshot(app.pid, postmaster);
  const baseline = await load(DURATION, `base-${run}`);
  const cpuBaseline = cpuUse(cpuBaselineBefore, cpuSnapshot(app.pid, postmaster));
  app.assertAlive();
  await waitForQuiet(db);
  const baselineWrites = await checkPhaseWrites(db, baseline, `base-${run}`, before);
  const baselineInvariants = await checkInvariants(db);
  baselineInvariants.problems.unshift(...baselineWrites.problems);
  baselineInvariants.ok = baselineInvariants.problems.length === 0;
  const baseFig = windowFigures(baseline.timeline, -Infinity, Infinity);
  note(`baseline: ${fmt(baseline.holdsPerSecond)} holds/s, p50 ${fmt(baseFig.p50, 1)} ms, p99 ${fmt(baseFig.p99, 1)} ms`);

  // The holds turn expired at T, with the load running.
  rss.phase('sweep: load before T');
  const { rows } = await db.query(
    `WITH t AS (SELECT now() + make_interval(secs => $2) AS at),
          moved AS (UPDATE reservations r SET hold_expires_at = t.at FROM t
                     WHERE r.user_id = $1 AND r.status = 'held' RETURNING 1)
     SELECT (SELECT count(*) FROM moved)::int AS n, (SELECT extract(epoch FROM at) * 1000 FROM t) AS at`,
    [SWEPT_USER, LEAD],
  );
  const moved = rows[0] as { n: number; at: string };
  if (moved.n !== HOLDS) throw new Error(`${moved.n} holds moved to expire, not ${HOLDS}`);
  const expiredAt = Number(moved.at);
  await db.query('VACUUM ANALYZE reservations');
  const leadLeft = (expiredAt - Date.now()) / 1000;
  if (leadLeft < 3) throw new Error(`only ${fmt(leadLeft, 1)} s of load before the holds expire: raise BENCH_EXPIRY_LEAD`);
  note(`sweep: the ${fmt(HOLDS)} holds expire in ${fmt(leadLeft, 1)} s; load on (${CONNECTIONS} connections)`);

  before = await countReservations(db);
  let stopLoad!: () => void;
  const loadStopped = new Promise<void>((done) => (stopLoad = done));
  const cpuLoadStart = cpuSnapshot(app.pid, postmaster);
  const sweepLoadPromise = load(Math.ceil(leadLeft) + TIMEOUT + TAIL + 5, `sweep-${run}`, loadStopped);
  const sweep = await (async (): Promise<SweepResult> => {
    await sleep(Math.max(0, expiredAt - Date.now()));
    rss.phase('sweep');
    const atT = cpuSnapshot(app.pid, postmaster);
    const deadline = expiredAt + TIMEOUT * 1000;
    const done = (doneAt: number | null, method: string, cliOutput?: string): SweepResult => ({
      expiredAt,
      doneAt,
      method,
      atT,
      atDone: doneAt === null ? null : cpuSnapshot(app.pid, postmaster),
      cliOutput,
    });
    if (SWEEP === 'cli') {
      const cli = await runCliSweep(database.url, deadline - Date.now());
      if (!cli) return done(null, 'node dist/src/cli/holds-expire.js, from T to its exit');
      if (cli.code !== 0) throw new Error(`holds-expire exited ${cli.code}:\n${cli.output}`);
      return done(nowMs(), 'node dist/src/cli/holds-expire.js, from T to its exit', cli.output.trim());
    }
    while (Date.now() < deadline) {
      if (!(await anyHoldPastItsTime(db))) {
        return done(
          nowMs(),
          `in-app sweep every ${SWEEP_INTERVAL} s, from T until no hold is held past its time (EXISTS on the sweep's index, polled every ${POLL_MS} ms)`,
        );
      }
      await sleep(POLL_MS);
    }
    return done(null, 'in-app sweep (not finished)');
  })();
  const sweepSeconds = sweep.doneAt === null ? null : (sweep.doneAt - sweep.expiredAt) / 1000;
  note(sweepSeconds === null ? `sweep: not done within ${TIMEOUT} s` : `sweep: done in ${fmt(sweepSeconds, 2)} s`);
  rss.phase('sweep: load after');
  await sleep(TAIL * 1000);
  stopLoad();
  const sweepLoad = await sweepLoadPromise;
  const cpuLoadEnd = cpuSnapshot(app.pid, postmaster);
  app.assertAlive();
  rss.phase('checks');
  await waitForQuiet(db);
  const sweepWrites = await checkPhaseWrites(db, sweepLoad, `sweep-${run}`, before);
  const sweepInvariants = await checkInvariants(db);
  sweepInvariants.problems.unshift(...sweepWrites.problems);
  const swept = await checkSwept(db, SWEEP === 'app' ? await expiredTotal(app) : null);
  sweepInvariants.problems.push(...swept.problems);
  sweepInvariants.ok = sweepInvariants.problems.length === 0;
  const batches = await sweepBatches(db);

  // -------------------------------------------------------------------------------------
  // Report
  const rssReport = rss.stop();
  const doneAt = sweep.doneAt ?? Date.now();
  const windows = {
    baseline: baseFig,
    beforeT: windowFigures(sweepLoad.timeline, -Infinity, sweep.expiredAt),
    duringSweep: windowFigures(sweepLoad.timeline, sweep.expiredAt, doneAt),
    afterSweep: windowFigures(sweepLoad.timeline, doneAt, Infinity),
  };
  // The CPU of each window, for how much of the machine other processes took meanwhile.
  const sweepCpu = sweep.atDone ? cpuUse(sweep.atT, sweep.atDone) : null;
  const windowCpu: Record<keyof typeof windows, CpuUse | null> = {
    baseline: cpuBaseline,
    beforeT: cpuUse(cpuLoadStart, sweep.atT),
    duringSweep: sweepCpu,
    afterSweep: sweep.atDone ? cpuUse(sweep.atDone, cpuLoadEnd) : null,
  };
  out();
  out(
    `Holdfast expiry benchmark: ${fmt(HOLDS)} holds on ${fmt(SLOT_COUNT)} slots, hold load at ${CONNECTIONS} connections, app pool ${POOL_SIZE}; ` +
      `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}, ` +
      `PostgreSQL ${database.serverVersion} (${database.where})`,
  );
  out(
    `Created ${fmt(HOLDS)} holds with pgbench -c ${PGBENCH_CLIENTS} in ${fmt(createSeconds, 1)} s (${fmt(HOLDS / createSeconds)} holds/s)`,
  );
  out(`Sweep: ${sweep.method}`);
  out();
  const rowsOut = [['hold load window', 'seconds', 'requests', 'holds/s', 'p50 ms', 'p99 ms', 'max ms', '5xx', 'others']];
  const others = (cpu: CpuUse | null) => (cpu?.othersPct == null ? '-' : `${fmt(cpu.othersPct)} %`);
  const row = (name: keyof typeof windows, label: string) => {
    const w = windows[name];
    return [
      label,
      fmt(w.seconds, 1),
      fmt(w.requests),
      fmt(w.holdsPerSecond),
      fmt(w.p50, 1),
      fmt(w.p99, 1),
      fmt(w.max, 1),
      fmt(w.status5xx),
      others(windowCpu[name]),
    ];
  };
  rowsOut.push(row('baseline', 'baseline, no sweep'));
  rowsOut.push(row('beforeT', 'sweep phase, before T'));
  rowsOut.push(row('duringSweep', 'during the sweep'));
  rowsOut.push(row('afterSweep', 'after the sweep'));
  printTable(rowsOut);
  out(
    `(the bench's own timing per request, from just before it is written to its answer, by when it was sent; ` +
      `autocannon over the whole baseline: ${fmt(baseline.holdsPerSecond)} holds/s, p50 ${fmt(baseline.p50)} ms, p99 ${fmt(baseline.p99)} ms; ` +
      `others: the share of all CPUs other processes used meanwhile)`,
  );
  out();
  const sweptCount = batches.reduce((n, b) => n + b.holds, 0);
  if (sweepSeconds !== null) {
    out(
      `Sweep: ${fmt(sweptCount)} holds expired in ${fmt(sweepSeconds, 2)} s from T (${fmt(sweptCount / sweepSeconds)} holds/s)`,
    );
  } else out(`Sweep: NOT DONE within ${TIMEOUT} s of T (${fmt(sweptCount)} of ${fmt(HOLDS)} expired)`);
  if (batches.length > 0) {
    const gaps = batches.slice(1).map((b, i) => b.at - batches[i].at);
    const sorted = [...gaps].sort((a, b) => a - b);
    const last = batches.at(-1)!;
    out(
      `  ${fmt(batches.length)} batches (transactions, by their start): the first began ${fmt((batches[0].at - sweep.expiredAt) / 1000, 2)} s after T, ` +
        `the last ${fmt((last.at - sweep.expiredAt) / 1000, 2)} s after T; between two batch starts: ` +
        `median ${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${fmt(sorted.at(-1) ?? 0)} ms, ` +
        `${fmt(batches[0].holds)} holds in the first, ${fmt(last.holds)} in the last`,
    );
  }
  if (sweepCpu) {
    out(
      `  CPU from T to the end, per swept hold (the load's holds meanwhile included): ${cpuLine(sweepCpu, HOLDS, 'load generator')}`,
    );
  }
  out(`  CPU per hold through the app in the baseline: ${cpuLine(cpuBaseline, baselineWrites.created, 'load generator')}`);
  if (sweep.cliOutput) out(`  holds-expire said: ${sweep.cliOutput.split('\n').join(' | ')}`);
  const status5xx = baseline.status5xx + sweepLoad.status5xx;
  const errors = baseline.errors + sweepLoad.errors;
  out(
    `Status codes: baseline ${JSON.stringify(baseline.byStatus)}, sweep phase ${JSON.stringify(sweepLoad.byStatus)}; ` +
      `5xx ${fmt(status5xx)}, connection errors ${fmt(errors)}, timeouts ${fmt(baseline.timeouts + sweepLoad.timeouts)}`,
  );
  for (const sample of [...baseline.samples, ...sweepLoad.samples]) out(`  sample non-200: ${sample}`);
  for (const problem of baselineInvariants.problems) out(`  baseline: ${problem}`);
  for (const problem of sweepInvariants.problems) out(`  after the sweep: ${problem}`);
  out(
    `Checks: ${baselineInvariants.ok && sweepInvariants.ok ? 'OK' : 'FAILED'} (every created hold expired with its allocation released ` +
      `and one expired event; the load's holds untouched; counters equal the ledger; every 200 made its reservation)`,
  );
  // Without the sweep: the lower p99 of the two windows without it (the baseline, and the seconds before T).
  const withoutP99 = Math.min(windows.baseline.p99, windows.beforeT.p99);
  const ratio = withoutP99 > 0 ? windows.duringSweep.p99 / withoutP99 : Infinity;
  const targets = [
    `sweep < ${TARGET_SWEEP_SECONDS} s: ${sweepSeconds !== null && sweepSeconds < TARGET_SWEEP_SECONDS ? 'met' : 'MISSED'} (${sweepSeconds === null ? 'not done' : `${fmt(sweepSeconds, 2)} s`})`,
    `hold p99 during the sweep <= ${TARGET_P99_RATIO}x without: ${ratio <= TARGET_P99_RATIO ? 'met' : 'MISSED'} ` +
      `(${fmt(windows.duringSweep.p99, 1)} vs ${fmt(withoutP99, 1)} ms, the lower of the baseline's and before T's, ${fmt(ratio, 2)}x)`,
    `no 5xx: ${status5xx === 0 ? 'met' : 'MISSED'}`,
  ];
  out(`targets: ${targets.join('; ')}`);
  const errorLog = app.errorLog();
  out(`app log lines at error level: ${errorLog.count}; total time ${fmt((Date.now() - started) / 1000)} s`);
  for (const line of errorLog.first) out(`  app error: ${line}`);
  for (const line of rssLines(rssReport)) out(line);

  const failed = !baselineInvariants.ok || !sweepInvariants.ok || status5xx > 0 || errors > 0 || sweep.doneAt === null;
  if (process.env.BENCH_JSON) {
    writeFileSync(
      process.env.BENCH_JSON,
      JSON.stringify(
        {
          holds: HOLDS,
          connections: CONNECTIONS,
          duration: DURATION,
          poolSize: POOL_SIZE,
          sweepMode: SWEEP,
          sweepMethod: sweep.method,
          cpus: availableParallelism(),
          node: process.version,
          postgres: database.serverVersion,
          createSeconds,
          sweepSeconds,
          batches: batches.map((b) => ({ startMs: b.at - sweep.expiredAt, holds: b.holds })),
          windowCpu: windowCpu,
          windows,
          baseline: withoutSets(baseline),
          sweepLoad: withoutSets(sweepLoad),
          baselineInvariants,
          sweepInvariants,
          p99Ratio: ratio,
          rss: rssReport,
          failed,
        },
        null,
        2,
      ),
    );
  }
  await app.stop();
  reportResult(
    failed,
    'a check failed, the sweep did not finish, or 5xx or connection errors',
    'every hold swept, checks hold, no 5xx',
  );
}

runBench(main);
