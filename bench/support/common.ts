/**
 * What every part of the benches shares: their output (the report on stdout, progress
 * notes on stderr, tables), `sleep`, number formatting, settings, the cleanup registry and
 * the small servers they start as processes of their own.
 */
import { spawn } from 'node:child_process';

/** A line of the report (stdout). */
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
/** A progress note (stderr). */
export const note = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown table: the first row is the header; the first column left-aligned, the others right-aligned. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  out(line(rows[0]));
  out(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows.slice(1)) out(line(r));
}

/** Cleanup: everything started registers how to undo it; undone in reverse order by `cleanup`. */
export const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
let cleanedUp = false;
export async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const { name, run } of cleanups.reverse()) {
    try {
      await run();
    } catch (error) {
      note(`cleanup of ${name} failed: ${(error as Error).message}`);
    }
  }
}
/** On SIGINT or SIGTERM: cleans up, then exits 130. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      note(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}

/** An integer setting from the environment: `fallback` when unset or empty; throws below `min` or when not an integer. */
export function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

/** Ends a bench's report: its RESULT line, and exit code 1 when it failed. */
export function reportResult(failed: boolean, failure: string, success: string): void {
  if (failed) {
    out(`RESULT: FAILED (${failure})`);
    process.exitCode = 1;
  } else {
    out(`RESULT: OK (${success})`);
  }
}

/**
 * Runs a bench's `main`: an error fails it (exit code 1); the cleanups (the app, the
 * database) always run, then the process exits with the code set so far.
 */
export function runBench(main: () => Promise<void>): void {
  main()
    .catch((error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cleanup();
      process.exit();
    });
}

/** A server the bench started as a process of its own: its port and pid, and how to stop it. */
export interface ServerProcess {
  port: number;
  pid: number | undefined;
  stop: () => Promise<void>;
}

/**
 * Starts `node <args>` with `env` added, a server that prints the port it listens on as
 * its first line of output; registered with the cleanups. `name` is for the error when it
 * exits before that.
 */
export async function startServerProcess(name: string, args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise<void>((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      child.once('exit', () => resolveStop());
      child.kill('SIGKILL');
    });
  cleanups.push({ name, run: stop });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolvePort(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the ${name} exited (${code})`)));
  });
  return { port, pid: child.pid, stop };
}
