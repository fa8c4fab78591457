import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept
 * before it collects again: 50 %, where V8 by default lets it grow 1.1 to 4 times
 * depending on how fast it collects. On the hold load V8's choice let the process reach
 * 380 to 410 MB of RSS (about 200 MB at rest); with 50 % it stays under the 250 MB of
 * issue 16 for about 5 % of hold throughput (docs/benchmarks.md, "Memory"). It also
 * keeps the analytics export's memory flat (issue 15).
 */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = '--heap-growing-percent';

/**
 * Sets V8's heap growing factor to HEAP_GROWING_PERCENT, unless the operator chose one
 * on the command line or in NODE_OPTIONS (theirs wins). Returns the percent set, or null.
 * V8 reads the flag at each full collection, so setting it once the app is loading is enough.
 */
export function boundHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
  set: (flags: string) => void = setFlagsFromString,
): number | null {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => arg.startsWith(FLAG))) return null;
  set(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return HEAP_GROWING_PERCENT;
}
