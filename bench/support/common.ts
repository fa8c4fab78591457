/**
 * What every part of `npm run bench:holds` shares: its output (the report on stdout,
 * progress notes on stderr), `sleep`, number formatting and the cleanup registry.
 */

/** A line of the report (stdout). */
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
/** A progress note (stderr). */
export const note = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
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
