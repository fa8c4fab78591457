/**
 * CPU accounting from /proc (Linux; skipped elsewhere or for a server on another machine).
 * On a shared machine the rates move with everybody else's load; CPU milliseconds per
 * hold, for the app and for Postgres, do not, and say where the time goes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { fmt } from './common';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcTimes {
  ppid: number;
  /** CPU of the process itself, ms. */
  self: number;
  /** CPU of its children that have exited and been waited for, ms. */
  children: number;
}

function readProc(pid: number): ProcTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      self: (Number(f[11]) + Number(f[12])) * TICK_MS,
      children: (Number(f[13]) + Number(f[14])) * TICK_MS,
    };
  } catch {
    return null;
  }
}

/**
 * The postmaster's CPU plus all its backends' and helpers', those alive and those gone.
 * A backend reaped while /proc is walked would be counted nowhere (or twice): walk again
 * until the postmaster's total for its reaped children stays the same across the walk.
 */
function postgresCpuMs(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  for (let attempt = 0; attempt < 50; attempt++) {
    const main = readProc(postmaster);
    if (!main) return null;
    let live = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const p = readProc(Number(entry));
      if (p && p.ppid === postmaster) live += p.self + p.children;
    }
    if (readProc(postmaster)?.children === main.children) return main.self + main.children + live;
  }
  return null;
}

/** Busy and total CPU time of the whole machine, ms (all CPUs). */
function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const [cpuLine] = readFileSync('/proc/stat', 'utf8').split('\n');
    const v = cpuLine.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = v[3] + v[4];
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  app: number | null;
  postgres: number | null;
  loadgen: number;
  pgbench: number | null;
  machine: { busy: number; total: number } | null;
}

/** CPU used in a window, ms, and the share of the machine's CPU that went to none of us. */
export interface CpuUse {
  app: number | null;
  postgres: number | null;
  loadgen: number;
  pgbench: number | null;
  /** Busy CPU of the machine during the window, % of all CPUs. */
  machineBusyPct: number | null;
  /** Busy CPU not used by the app, Postgres, the load generator or pgbench: other people's work, % of all CPUs. */
  othersPct: number | null;
}

export function cpuSnapshot(appPid: number | undefined, postmaster: number | null): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    app: appPid ? (readProc(appPid)?.self ?? null) : null,
    postgres: postgresCpuMs(postmaster),
    loadgen: (usage.user + usage.system) / 1000,
    pgbench: readProc(process.pid)?.children ?? null,
    machine: machineCpuMs(),
  };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const d = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
  const use = {
    app: d(a.app, b.app),
    postgres: d(a.postgres, b.postgres),
    loadgen: b.loadgen - a.loadgen,
    pgbench: d(a.pgbench, b.pgbench),
    machineBusyPct: null as number | null,
    othersPct: null as number | null,
  };
  if (a.machine && b.machine && b.machine.total > a.machine.total) {
    const total = b.machine.total - a.machine.total;
    const busy = b.machine.busy - a.machine.busy;
    use.machineBusyPct = (100 * busy) / total;
    const ours = (use.app ?? 0) + (use.postgres ?? 0) + use.loadgen + (use.pgbench ?? 0);
    use.othersPct = Math.max(0, (100 * (busy - ours)) / total);
  }
  return use;
}

export async function findPostmaster(db: pg.Client): Promise<number | null> {
  const backend = ((await db.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
  const proc = readProc(backend);
  return proc ? proc.ppid : null;
}

/** CPU per hold (or per pgbench transaction) of each process, and how busy the machine was. */
export function cpuLine(cpu: CpuUse, count: number, driver: string): string {
  const per = (ms: number | null) => (ms === null || count === 0 ? 'n/a' : `${fmt(ms / count, 2)} ms`);
  const parts = [];
  if (cpu.app !== null && driver !== 'pgbench') parts.push(`app ${per(cpu.app)}`);
  parts.push(`postgres ${per(cpu.postgres)}`);
  parts.push(`${driver} ${per(driver === 'pgbench' ? cpu.pgbench : cpu.loadgen)}`);
  if (cpu.machineBusyPct !== null) {
    parts.push(`machine ${fmt(cpu.machineBusyPct)} % busy (${fmt(cpu.othersPct ?? 0)} % of all CPUs by other processes)`);
  }
  return parts.join(', ');
}
