/**
 * The app process's memory through a bench: its resident set size (VmRSS in
 * /proc/<pid>/status, Linux; nothing elsewhere) sampled on a timer from the moment the
 * app is spawned to the end, each sample counted in the phase the bench says it is in.
 * Issue 16 target 3: RSS stays under 250 MB through the whole bench (BENCH_RSS_LIMIT_MB).
 */
import { readFileSync } from 'node:fs';
import { fmt } from './common';

/** A process's resident set size in MB (Linux), or null (no /proc, or the process is gone). */
export function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface RssPhase {
  phase: string;
  samples: number;
  maxMb: number | null;
}

/** What the sampler saw: the maximum per phase and over the whole run, against the limit. */
export interface RssReport {
  limitMb: number;
  intervalMs: number;
  samples: number;
  maxMb: number | null;
  /** Null when nothing could be sampled (not Linux): neither a pass nor a fail. */
  pass: boolean | null;
  phases: RssPhase[];
}

export class RssSampler {
  private pid: number | undefined;
  private timer: NodeJS.Timeout | null = null;
  private readonly phases: RssPhase[] = [];
  private current: RssPhase | null = null;

  constructor(
    private readonly limitMb: number,
    private readonly intervalMs: number,
  ) {}

  /** Starts sampling `pid` (call it as soon as the app is spawned), in phase `phase`. */
  start(pid: number | undefined, phase: string): void {
    this.pid = pid;
    this.phase(phase);
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** From now on, samples count in `phase` (a phase named again continues where it was). */
  phase(name: string): void {
    if (this.current) this.sample(); // the last word of the phase that ends
    this.current = this.phases.find((p) => p.phase === name) ?? null;
    if (!this.current) {
      this.current = { phase: name, samples: 0, maxMb: null };
      this.phases.push(this.current);
    }
  }

  /** Takes a last sample and stops. */
  stop(): RssReport {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.report();
  }

  report(): RssReport {
    const sampled = this.phases.filter((p) => p.maxMb !== null);
    const maxMb = sampled.length ? Math.max(...sampled.map((p) => p.maxMb!)) : null;
    return {
      limitMb: this.limitMb,
      intervalMs: this.intervalMs,
      samples: this.phases.reduce((n, p) => n + p.samples, 0),
      maxMb,
      pass: maxMb === null ? null : maxMb < this.limitMb,
      phases: this.phases.filter((p) => p.samples > 0),
    };
  }

  private sample(): void {
    const mb = rssMb(this.pid);
    if (mb === null || !this.current) return;
    this.current.samples++;
    this.current.maxMb = Math.max(this.current.maxMb ?? 0, mb);
  }
}

/** The report's lines: the maximum per phase, then the whole run's against the limit. */
export function rssLines(r: RssReport): string[] {
  if (r.maxMb === null) return ['App RSS: not sampled (no /proc/<pid>/status here)'];
  const phases = r.phases.map((p) => `${p.phase} ${fmt(p.maxMb!)}`).join(', ');
  return [
    `App RSS (VmRSS every ${fmt(r.intervalMs)} ms, ${fmt(r.samples)} samples), max MB per phase: ${phases}`,
    `App RSS max over the whole run: ${fmt(r.maxMb, 1)} MB; target < ${fmt(r.limitMb)} MB: ${r.pass ? 'PASS' : 'FAIL'}`,
  ];
}
