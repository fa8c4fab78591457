import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import { findFreePort } from '@holdfast/database';
import { mintDevToken } from '../src/auth/dev-token.service';
import { createDataSource } from '../src/database/data-source';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { buildAppInto } from './support/build-app';
import { spawnApp } from './support/app-process';
import { waitFor as waitUntil, type Check } from './support/wait';

/*
 * DESIGN.md section 8, "every job is safe with many replicas", shown with real
 * processes: the built app (`node <build>/src/main.js`, as the image runs it) three
 * times on one PostgreSQL database, plus the migration Job's and the hold-sweep
 * CronJob's exact commands, read from deploy/k8s.
 *
 * Races are made certain rather than hoped for: the test holds a lock that the
 * contenders queue behind, sees (pg_stat_activity) that every one of them is waiting,
 * and only then lets them all go at once.
 */

const ROOT = process.cwd(); // jest runs from the repository root
/** Its own build folder, like test/process.e2e-spec.ts: another file may be rebuilding dist/. */
const BUILD_DIR = join(ROOT, '.data', `scale-out-e2e-build-${randomBytes(4).toString('hex')}`);
const JWT_SECRET = 'scale-out-e2e-secret-0123456789';
const REPLICAS = 3;
const CAPACITY = 5;
const REQUESTS_PER_REPLICA = 8;
/**
 * Long enough for the burst of holds to be answered before any of them expires (else
 * a later request could legitimately reclaim an expired place and "exactly CAPACITY
 * succeed" would not hold), short enough to wait for. The CronJob's start-up overlaps it.
 */
const HOLD_TTL_SECONDS = 4;
const WAIT_MS = 60_000;
/** The lock `migrate run` takes (src/cli/migrate.ts). */
const MIGRATION_LOCK = 'holdfast:migrations';

interface Proc {
  child: ChildProcess;
  name: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  done(): boolean;
}

const procs: Proc[] = [];

/** `node <script> ...args` from an empty directory (no `.env`), with only PATH, HOME and `env`. */
function run(name: string, script: string, args: string[], env: Record<string, string>): Proc {
  const cwd = mkdtempSync(join(tmpdir(), 'holdfast-scale-out-'));
  const app = spawnApp(script, cwd, env, args);
  const exited = app.exited.then(({ code }) => {
    rmSync(cwd, { recursive: true, force: true });
    return code;
  });
  const proc = { child: app.child, name, stdout: app.stdout, stderr: app.stderr, exited, done: app.hasExited };
  procs.push(proc);
  return proc;
}

/** A command of a deploy/k8s manifest (`node dist/...`), pointed at this file's build. */
function manifestCommand(file: string): { script: string; args: string[] } {
  const doc = parseYaml(readFileSync(join(ROOT, 'deploy/k8s', file), 'utf8')) as {
    spec: { template?: PodTemplate; jobTemplate?: { spec: { template: PodTemplate } } };
  };
  const template = doc.spec.template ?? doc.spec.jobTemplate!.spec.template;
  const [node, script, ...args] = template.spec.containers[0].command;
  expect([node, script]).toEqual(['node', expect.stringMatching(/^dist\//)]);
  return { script: join(BUILD_DIR, script.replace(/^dist\//, '')), args };
}
interface PodTemplate {
  spec: { containers: { command: string[] }[] };
}

/** Everything here waits on real processes: a minute, not the shared default. */
const waitFor = (what: string, check: Check, timeoutMs = WAIT_MS) => waitUntil(what, check, timeoutMs);

async function exitedOk(proc: Proc): Promise<string> {
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${proc.name} exited with ${code}:\n${proc.stderr()}\n${proc.stdout()}`);
  return proc.stdout();
}

/** Messages of an app's JSON log lines (pino), skipping anything that is not JSON. */
function logMessages(proc: Proc): { level: number; context?: string; msg: string }[] {
  return proc
    .stdout()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { level: number; context?: string; msg: string }];
      } catch {
        return [];
      }
    });
}

/** The replicas' error-level log lines (pino level 50 and up), e.g. a failed sweep or a 500. */
const errorLogs = () => apps.flatMap((app) => logMessages(app).filter((m) => m.level >= 50));

/** Sum of N over "expired N holds" lines. */
const expiredIn = (messages: string[]) =>
  messages.reduce((sum, msg) => sum + Number(/^expired (\d+) holds$/.exec(msg.trim())?.[1] ?? 0), 0);

/** Backends of `application_name` waiting for a heavyweight lock, whose statement matches `like`. */
async function waiting(ds: DataSource, database: string, like: string): Promise<number[]> {
  const rows = (await ds.query(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE $2 ORDER BY pid`,
    [database, like],
  )) as { pid: number }[];
  return rows.map((r) => r.pid);
}

let db: TestDatabase;
let ds: DataSource;
const apps: (Proc & { port: number })[] = [];
let appEnv: Record<string, string>;

beforeAll(async () => {
  buildAppInto(BUILD_DIR);
  db = await createTestDatabase({ empty: true }); // no schema: the migration Job makes it
  appEnv = {
    // Not production: that refuses the dev tokens this test signs in with (src/config/env.schema.ts).
    NODE_ENV: 'development',
    DATABASE_URL: db.url,
    MIGRATIONS_RUN: 'false',
    DEMO_CATALOG: 'false',
    AUTH_MODE: 'dev',
    JWT_SECRET,
    LOG_LEVEL: 'info',
    DB_POOL_SIZE: '4',
    HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
    HOLD_SWEEP_INTERVAL_SECONDS: '1',
    // No test here is about rate limits (ignored where the variables do not exist).
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_HOLD_PER_MINUTE: '100000',
  };
}, 240_000);

afterAll(async () => {
  // SIGTERM (the app drains and exits), then SIGKILL whatever is still there.
  for (const p of procs) if (!p.done()) p.child.kill('SIGTERM');
  await Promise.all(
    procs.map(async (p) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([p.exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
      if (!p.done()) p.child.kill('SIGKILL');
    }),
  );
  await ds?.destroy();
  await db?.drop();
  rmSync(BUILD_DIR, { recursive: true, force: true });
}, 60_000);

describe('scale-out: three replicas on one PostgreSQL', () => {
  it('the migration Job: two runs at once on an empty database apply each migration once; the init container of the pods waits for them', async () => {
    const job = manifestCommand('migrate-job.yaml');
    const wait = run('migrate wait', job.script, ['wait', '60'], { DATABASE_URL: db.url });
    await waitFor('the init container to report pending migrations', () => wait.stdout().includes('waiting for'));

    const gate = new pg.Client({ connectionString: db.url });
    await gate.connect();
    try {
      // Both runs queue behind our hold of their lock, then start at the same instant.
      await gate.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
      const runs = [1, 2].map((i) => run(`migrate run #${i}`, job.script, job.args, { DATABASE_URL: db.url }));
      ds = createDataSource(db.url, 2, 'scale-out-e2e');
      await ds.initialize();
      await waitFor('both migration runs to wait for the lock', async () => {
        const rows = (await ds.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          [db.name],
        )) as { n: number }[];
        return rows[0].n === 2;
      });
      await gate.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);

      const outputs = (await Promise.all(runs.map(exitedOk))).sort();
      const migrationCount = ds.migrations.length;
      const applied = outputs.map((out) => out.split('\n').filter((l) => l.startsWith('applied ')).length).sort((a, b) => a - b);
      expect(applied).toEqual([0, migrationCount]);
      expect(outputs.find((out) => !out.includes('applied '))).toBe('schema is up to date\n');
    } finally {
      await gate.end();
    }
    expect(await exitedOk(wait)).toMatch(/schema is up to date\n$/);
    expect(await ds.showMigrations()).toBe(false);
  }, 120_000);

  it('three app processes on different ports become ready on the migrated database, without migrating it', async () => {
    const ports = new Set<number>();
    while (ports.size < REPLICAS) ports.add(await findFreePort());
    for (const port of ports) {
      apps.push({ ...run(`app :${port}`, join(BUILD_DIR, 'src/main.js'), [], { ...appEnv, PORT: String(port) }), port });
    }
    await Promise.all(
      apps.map((app) =>
        waitFor(`${app.name} to be ready`, async () => {
          if (app.done()) throw new Error(`${app.name} exited:\n${app.stderr()}\n${app.stdout()}`);
          const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`).catch(() => undefined);
          return res?.status === 200;
        }),
      ),
    );
    for (const app of apps) expect(app.stdout()).not.toMatch(/Migration .* has been executed/);
  }, 120_000);

  let slotId: string;
  let held: string[];

  it(`${REPLICAS * REQUESTS_PER_REPLICA} holds sent to all three at once for one slot of ${CAPACITY}: exactly ${CAPACITY} succeed, counters equal the ledger`, async () => {
    const offering = await createOffering(ds, { kind: 'experience' });
    const slot = await createSlot(ds, offering.id, { capacity: CAPACITY });
    slotId = slot.id;
    // Test-only audit of every state change the sweepers make, with the backend that made it.
    await ds.query(`
      CREATE TABLE scale_out_audit (tbl text NOT NULL, row_id uuid NOT NULL, old_state text, new_state text, delta int,
                                    backend_pid int NOT NULL DEFAULT pg_backend_pid());
      CREATE FUNCTION scale_out_audit_reservation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO scale_out_audit (tbl, row_id, old_state, new_state) VALUES ('reservations', NEW.id, OLD.status, NEW.status);
        RETURN NEW; END $$;
      CREATE FUNCTION scale_out_audit_allocation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO scale_out_audit (tbl, row_id, old_state, new_state) VALUES ('allocations', NEW.id, OLD.state, NEW.state);
        RETURN NEW; END $$;
      CREATE FUNCTION scale_out_audit_slot() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO scale_out_audit (tbl, row_id, delta) VALUES ('time_slots', NEW.id, NEW.held - OLD.held);
        RETURN NEW; END $$;
      CREATE TRIGGER scale_out_audit AFTER UPDATE ON reservations
        FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION scale_out_audit_reservation();
      CREATE TRIGGER scale_out_audit AFTER UPDATE ON allocations
        FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state) EXECUTE FUNCTION scale_out_audit_allocation();
      CREATE TRIGGER scale_out_audit AFTER UPDATE ON time_slots
        FOR EACH ROW WHEN (NEW.held IS DISTINCT FROM OLD.held) EXECUTE FUNCTION scale_out_audit_slot();`);

    const body = JSON.stringify({
      experienceId: offering.id,
      timeSlotId: slot.id,
      numberOfGuests: 1,
      guestName: 'Crowd Member',
      guestEmail: 'crowd@example.com',
    });
    const responses = await Promise.all(
      Array.from({ length: REPLICAS * REQUESTS_PER_REPLICA }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${apps[i % REPLICAS].port}/v1/reservations/hold`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${mintDevToken(JWT_SECRET, { sub: `crowd-${i}` }, 600)}`,
            'X-Idempotency-Key': randomUUID(),
          },
          body,
        });
        return { status: res.status, body: (await res.json()) as { error?: string; reservation?: { id: string } } };
      }),
    );

    const byStatus: Record<string, number> = {};
    for (const res of responses) {
      const key = `${res.status} ${res.body.error ?? ''}`.trim();
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    expect({ byStatus, errors: errorLogs() }).toEqual({
      byStatus: { '200': CAPACITY, '400 TIME_SLOT_NOT_AVAILABLE': REPLICAS * REQUESTS_PER_REPLICA - CAPACITY },
      errors: [],
    });
    held = responses.flatMap((r) => (r.body.reservation ? [r.body.reservation.id] : []));

    const [counters] = (await ds.query('SELECT held, booked FROM time_slots WHERE id = $1', [slot.id])) as {
      held: number;
      booked: number;
    }[];
    expect(counters).toEqual({ held: CAPACITY, booked: 0 });
    expect(await checkInventoryInvariants(ds.manager)).toEqual([]);
  });

  it('when they expire, four sweepers racing for them (the three replicas and the CronJob) expire each exactly once', async () => {
    const gate = new pg.Client({ connectionString: db.url });
    await gate.connect();
    let sweepers: number[] = [];
    let cron: Proc;
    try {
      // Every sweep claims its batch with SELECT ... FOR UPDATE SKIP LOCKED on
      // reservations, which queues behind this lock (plain reads do not).
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE reservations IN EXCLUSIVE MODE');
      const statuses = (
        await gate.query<{ status: string }>('SELECT status FROM reservations WHERE id = ANY($1::uuid[])', [held])
      ).rows;
      expect(statuses.map((r) => r.status)).toEqual(Array(CAPACITY).fill('held')); // the premise: nothing expired yet

      // The CronJob's command; its own in-process schedule kept out of the way, so it sweeps once.
      const sweep = manifestCommand('hold-sweep-cronjob.yaml');
      cron = run('hold-sweep CronJob', sweep.script, sweep.args, { ...appEnv, HOLD_SWEEP_INTERVAL_SECONDS: '3600' });

      await waitFor('every hold to be past its time', async () => {
        const { rows } = await gate.query<{ due: boolean }>(
          'SELECT bool_and(hold_expires_at <= clock_timestamp()) AS due FROM reservations WHERE id = ANY($1::uuid[])',
          [held],
        );
        return rows[0].due;
      });
      // One sweep at a time per process (HoldExpiryJob skips a tick while its sweep runs),
      // so four waiting sweep statements are the three replicas and the CronJob.
      await waitFor('the three replicas and the CronJob to wait at the gate', async () => {
        if (cron.done()) throw new Error(`the CronJob exited early:\n${cron.stderr()}\n${cron.stdout()}`);
        sweepers = await waiting(ds, db.name, '%FROM reservations%ORDER BY hold_expires_at%FOR UPDATE SKIP LOCKED%');
        return sweepers.length === REPLICAS + 1;
      });
    } finally {
      await gate.query('COMMIT').catch(() => undefined);
      await gate.end();
    }

    expect(await exitedOk(cron!)).toMatch(/^expired \d+ holds\n$/);
    await waitFor('every hold to be expired', async () => {
      const rows = (await ds.query(
        `SELECT count(*)::int AS n FROM reservations WHERE id = ANY($1::uuid[]) AND status = 'expired'`,
        [held],
      )) as { n: number }[];
      return rows[0].n === CAPACITY;
    });

    // Each hold expired once, each allocation released once, both by one of the racers.
    const audit = (await ds.query(
      `SELECT tbl, row_id, old_state, new_state, delta, backend_pid FROM scale_out_audit WHERE tbl <> 'time_slots' OR row_id = $1`,
      [slotId],
    )) as { tbl: string; row_id: string; old_state: string; new_state: string; delta: number | null; backend_pid: number }[];
    const expirations = audit.filter((a) => a.tbl === 'reservations');
    expect(expirations.map((a) => a.row_id).sort()).toEqual([...held].sort());
    expect(expirations.every((a) => a.old_state === 'held' && a.new_state === 'expired')).toBe(true);
    const releases = audit.filter((a) => a.tbl === 'allocations');
    expect(releases).toHaveLength(CAPACITY);
    expect(new Set(releases.map((a) => a.row_id)).size).toBe(CAPACITY);
    expect(releases.every((a) => a.old_state === 'held' && a.new_state === 'released')).toBe(true);
    for (const a of [...expirations, ...releases]) expect(sweepers).toContain(a.backend_pid);

    // The slot's counter: +1 per hold in the burst, -1 per release, never more.
    const deltas = audit.filter((a) => a.tbl === 'time_slots').map((a) => a.delta!);
    expect(deltas.filter((d) => d > 0).reduce((s, d) => s + d, 0)).toBe(CAPACITY);
    expect(deltas.filter((d) => d < 0).reduce((s, d) => s + d, 0)).toBe(-CAPACITY);
    const [counters] = (await ds.query('SELECT held, booked FROM time_slots WHERE id = $1', [slotId])) as {
      held: number;
      booked: number;
    }[];
    expect(counters).toEqual({ held: 0, booked: 0 });
    expect(await checkInventoryInvariants(ds.manager)).toEqual([]);

    // What the processes say agrees: their "expired N holds" add up to CAPACITY, and no sweep failed.
    const appMessages = apps.flatMap((app) => logMessages(app));
    expect(expiredIn([...appMessages.map((m) => m.msg), cron!.stdout()])).toBe(CAPACITY);
    expect(errorLogs()).toEqual([]);
  }, 120_000);

  it('on SIGTERM every replica drains and exits 0', async () => {
    for (const app of apps) app.child.kill('SIGTERM');
    expect(await Promise.all(apps.map((app) => app.exited))).toEqual(Array(REPLICAS).fill(0));
  }, 60_000);
});
