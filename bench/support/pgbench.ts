/**
 * The ceiling of `npm run bench:holds`: the app's own hold statement driven straight into
 * PostgreSQL by pgbench (docs/benchmarks.md, "pgbench tps").
 */
import { spawn } from 'node:child_process';
import type pg from 'pg';
import { type Line, type NewHold, oneSlotHoldStatement } from '../../src/reservations/hold-statement';
import { sleep } from './common';
import type { CpuUse } from './cpu';

/** How the bench runs pgbench (BENCH_PGBENCH, BENCH_PGBENCH_MODES, BENCH_PGBENCH_THREADS, BENCH_PGBENCH_AT_POOL). */
export interface PgbenchSettings {
  /** The pgbench binary; "off" skips pgbench. */
  bin: string;
  /** prepared, extended or simple; the first is the ceiling. */
  modes: string[];
  threads: number;
  /** Also run the first mode with as many clients as the app has pool connections. */
  atPool: boolean;
  /** The app's concurrency (BENCH_CONNECTIONS). */
  connections: number;
  /** The app's pool (DB_POOL_SIZE). */
  poolSize: number;
}

/**
 * The app's one-slot hold statement, built by the app's own code
 * (`oneSlotHoldStatement` in src/reservations/hold-statement.ts, the text
 * docs/inventory.md shows), with its parameters turned into what pgbench can vary: the ids the
 * app makes in Node come from md5() of a random number (or gen_random_uuid()), the key
 * and its lock from random numbers, the slot from bench_slots (n 1..10000 spread, 0 hot), the times from now().
 * So the ceiling is the very statement the app sends, in one round trip, as the app
 * sends it (a lone statement, no BEGIN or COMMIT). The offering costs `priceCents`, as seeded.
 */
export function pgbenchScript(offeringId: string, priceCents: number): string {
  const sentinel = {
    reservation: '00000000-0000-4000-8000-00000000000a',
    item: '00000000-0000-4000-8000-00000000000b',
    slot: '00000000-0000-4000-8000-00000000000c',
    allocation: '00000000-0000-4000-8000-00000000000d',
    key: 'pgbench-key-sentinel',
  };
  // Stand-ins for the two expiry times, told apart by identity below.
  const holdExpiresAt = new Date();
  const keyExpiresAt = new Date();
  const offering = {
    id: offeringId,
    kind: 'experience',
    currency: 'EUR',
    basePriceCents: priceCents,
    pricingRules: {},
    active: true,
  };
  const price = { unitPriceCents: priceCents, originalCents: priceCents, discountCents: 0, totalCents: priceCents };
  const total = { ...price, appliedDiscounts: { groupDiscount: null, earlyBirdDiscount: null, totalDiscount: 0 } };
  const line = {
    itemId: sentinel.item,
    offering,
    timeSlotId: sentinel.slot,
    sku: null,
    startDate: null,
    endDate: null,
    quantity: 1,
    price,
    slotStartsAt: null,
  } as unknown as Line;
  const hold: NewHold = {
    id: sentinel.reservation,
    userId: 'pgbench-user',
    dto: { guestName: 'Bench User', guestEmail: 'bench@example.com' } as NewHold['dto'],
    lines: [line],
    total: total as NewHold['total'],
    currency: 'EUR',
    holdExpiresAt,
    // The response the key stores.
    response: {
      reservation: {
        id: sentinel.reservation,
        status: 'held',
        holdExpiresAt: '2030-01-01T00:15:00.000Z',
        totalPrice: priceCents,
      },
    } as NewHold['response'],
  };
  const key = { scope: 'pgbench-user|POST /v1/reservations/hold', key: sentinel.key, hash: 'e3b0c442', successStatus: 200 };

  const { text, values } = oneSlotHoldStatement({ hold, key, keyExpiresAt, allocationId: sentinel.allocation });
  const lockId = values[0];

  const literal = (value: unknown): string => {
    if (value === sentinel.reservation) return `md5('r' || :h)::uuid`;
    if (value === sentinel.item) return `md5('i' || :h)::uuid`;
    if (value === sentinel.slot) return '(SELECT id FROM bench_slots WHERE n = :n)';
    if (value === sentinel.allocation) return 'gen_random_uuid()';
    if (value === sentinel.key) return `('pgb-' || :k)`;
    if (value === lockId) return ':lk';
    if (value === null) return 'NULL';
    if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
    if (value === holdExpiresAt) return `(now() + interval '900 seconds')`;
    if (value === keyExpiresAt) return `(now() + interval '1 day')`;
    if (typeof value === 'number') return String(value);
    // pgbench would read ":name" inside a literal as its variable: spell colons as an escape.
    return `E'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
  };
  const statement = text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1])).replace(/\s+/g, ' ');
  return `\\set n random(:lo, :hi)
\\set k random(1, 9000000000000000000)
\\set lk random(1, 9000000000000000000)
\\set h random(1, 9000000000000000000)
${statement};
`;
}

export interface PgbenchRun {
  mode: string;
  clients: number;
}

/** The pgbench runs of a phase: each mode at the app's concurrency, then the first at the app's pool size. */
export function pgbenchRuns(settings: PgbenchSettings): PgbenchRun[] {
  const { modes, connections, atPool, poolSize } = settings;
  const runs = modes.map((mode) => ({ mode, clients: connections }));
  if (atPool && poolSize !== connections) runs.push({ mode: modes[0], clients: poolSize });
  return runs;
}

export interface PgbenchResult {
  mode: string;
  clients: number;
  cpu?: CpuUse;
  tps: number;
  transactions: number;
  latencyMs: number | null;
  failed: number;
  ok: boolean;
  output: string;
}

/**
 * Runs the script at `scriptPath` for `length` seconds (or, given `{ transactions }`, that
 * many transactions per client), drawing the slot from bench_slots n `lo`..`hi`.
 */
export function runPgbench(
  settings: PgbenchSettings,
  url: string,
  scriptPath: string,
  [lo, hi]: [number, number],
  run: PgbenchRun,
  length: number | { transactions: number },
): Promise<PgbenchResult> {
  const { mode, clients } = run;
  const args = [
    '-n',
    '-M',
    mode,
    '-c',
    String(clients),
    '-j',
    String(Math.min(settings.threads, clients)),
    ...(typeof length === 'number' ? ['-T', String(length)] : ['-t', String(length.transactions)]),
    '-D',
    `lo=${lo}`,
    '-D',
    `hi=${hi}`,
    '-f',
    scriptPath,
    url,
  ];
  return new Promise((done, fail) => {
    const child = spawn(settings.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
      const processed = /number of transactions actually processed: (\d+)/.exec(output);
      const latency = /latency average = ([\d.]+) ms/.exec(output);
      const failed = /number of failed transactions: (\d+)/.exec(output);
      const aborted = /client \d+ aborted|Run was aborted/.test(output);
      done({
        mode,
        clients,
        tps: tps ? Number(tps[1]) : 0,
        transactions: processed ? Number(processed[1]) : 0,
        latencyMs: latency ? Number(latency[1]) : null,
        failed: failed ? Number(failed[1]) : 0,
        ok: code === 0 && tps !== null && !aborted && (!failed || Number(failed[1]) === 0),
        output,
      });
    });
  });
}

export async function pgbenchAvailable(bin: string): Promise<boolean> {
  if (bin === 'off') return false;
  return new Promise((done) => {
    const child = spawn(bin, ['--version'], { stdio: 'ignore' });
    child.on('error', () => done(false));
    child.on('exit', (code) => done(code === 0));
  });
}

/** Waits until pgbench's connections are gone (their backends exited), so their CPU is all counted. */
export async function waitForPgbenchGone(db: pg.Client, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgbench'`);
    if ((rows[0] as { n: number }).n === 0) break;
    await sleep(100);
  }
  await sleep(300);
}
