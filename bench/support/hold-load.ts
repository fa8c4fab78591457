/**
 * The hold load of the benches: autocannon against POST /v1/reservations/hold, every
 * request with its own X-Idempotency-Key and one of a set of dev-token users, so the
 * writes can be checked against the answers afterwards (hold-checks.ts).
 */
import autocannon from 'autocannon';
import { mintDevToken } from '../../src/auth/dev-token.service';

/** The guest of every bench hold (one guest, so places held = held reservations). */
export const BENCH_GUEST = { guestName: 'Bench User', guestEmail: 'bench@example.com' };

/** A one-guest hold on a time slot. */
export function slotHoldBody(offeringId: string, timeSlotId: string): object {
  return { ...BENCH_GUEST, experienceId: offeringId, timeSlotId, numberOfGuests: 1 };
}

/** `count` dev tokens (users bench-user-1..count), signed with the app's JWT_SECRET, valid a day. */
export function benchTokens(jwtSecret: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => mintDevToken(jwtSecret, { sub: `bench-user-${i + 1}`, roles: [] }, 86_400));
}

export interface HoldLoad {
  port: number;
  connections: number;
  /** How long the load runs, s (at most, with `stop`). */
  seconds: number;
  /** The idempotency keys are `<keyPrefix>-<n>`. */
  keyPrefix: string;
  /** Request n signs in with tokens[n % tokens.length]. */
  tokens: string[];
  /** The body of the next request. */
  body: () => object;
  /** When it settles, the load stops early. */
  stop?: Promise<unknown>;
  /** Keep every answered request's start, end and status (`timeline`). */
  timeline?: boolean;
}

/** One answered request: when it was built and sent, when its answer came (epoch ms, sub-ms precision), its status. */
export interface Answer {
  start: number;
  end: number;
  status: number;
}

export interface LoadResult {
  seconds: number;
  ok: number;
  holdsPerSecond: number;
  p50: number;
  p99: number;
  byStatus: Record<string, number>;
  status5xx: number;
  errors: number;
  timeouts: number;
  okKeys: Set<string>;
  failedKeys: Set<string>;
  unansweredKeys: Set<string>;
  samples: string[];
  /**
   * When the last of the connections had its first answer (epoch ms), or null if some
   * never did. A server accepts the load's new connections one per turn of its event
   * loop (libuv since 1.45), so under load the last ones wait; requests sent from this
   * moment on see the steady state at full concurrency.
   */
  allConnectedAt: number | null;
  /** Latency of the requests sent from `allConnectedAt` on, ms (the steady state; null without it). */
  steady: { p50: number; p99: number; requests: number; afterMs: number } | null;
  /** With `timeline`: every answered request, in answer order. */
  timeline: Answer[];
}

let keySeq = 0;
/** Epoch milliseconds with sub-millisecond precision. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Runs the load; autocannon's figures, the status codes and which keys got which answer. */
export async function driveHolds(load: HoldLoad): Promise<LoadResult> {
  const sent = new Set<string>();
  const okKeys = new Set<string>();
  const failedKeys = new Set<string>();
  const byStatus: Record<string, number> = {};
  const samples: string[] = [];
  const timeline: Answer[] = [];
  // Every answer's times, for the steady-state figures; a connection's first answer.
  const answers: Answer[] = [];
  const firstAnswers: number[] = [];

  const startedAt = nowMs();
  // Without a callback autocannon returns its instance made thenable: the result, and stop().
  const tracker = autocannon({
    url: `http://127.0.0.1:${load.port}/v1/reservations/hold`,
    connections: load.connections,
    duration: load.seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        // A fresh key, a user and a body for every request; the context carries the key
        // (and when the request was built, just before it is written) to onResponse.
        setupRequest: (request, context) => {
          const seq = ++keySeq;
          const key = `${load.keyPrefix}-${seq}`;
          (context as { key?: string }).key = key;
          (context as { start?: number }).start = nowMs();
          sent.add(key);
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${load.tokens[seq % load.tokens.length]}`,
              'x-idempotency-key': key,
            },
            body: JSON.stringify(load.body()),
          };
        },
        onResponse: (status, body, context) => {
          const key = (context as { key?: string }).key!;
          const answer = { start: (context as { start?: number }).start!, end: nowMs(), status };
          answers.push(answer);
          if (load.timeline) timeline.push(answer);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (status === 200) okKeys.add(key);
          else {
            failedKeys.add(key);
            if (samples.length < 5) samples.push(`${status} ${body.slice(0, 300)}`);
          }
        },
      },
    ],
  }) as Promise<autocannon.Result> & Pick<autocannon.Instance, 'stop' | 'on'>;
  // Each connection's first answer ('response' names the connection; request contexts do not last).
  const answered = new WeakSet<object>();
  tracker.on('response', (client: object) => {
    if (answered.has(client)) return;
    answered.add(client);
    firstAnswers.push(nowMs());
  });
  void load.stop?.then(
    () => tracker.stop(),
    () => tracker.stop(),
  );
  const result = await tracker;
  const unansweredKeys = new Set([...sent].filter((k) => !okKeys.has(k) && !failedKeys.has(k)));
  const ok = byStatus['200'] ?? 0;
  const status5xx = Object.entries(byStatus)
    .filter(([code]) => code.startsWith('5'))
    .reduce((sum, [, n]) => sum + n, 0);
  const allConnectedAt = firstAnswers.length >= load.connections ? Math.max(...firstAnswers) : null;
  const steadyWindow = allConnectedAt === null ? null : windowFigures(answers, allConnectedAt, Infinity);
  return {
    seconds: result.duration,
    ok,
    holdsPerSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    byStatus,
    status5xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okKeys,
    failedKeys,
    unansweredKeys,
    samples,
    allConnectedAt,
    steady: steadyWindow && {
      p50: steadyWindow.p50,
      p99: steadyWindow.p99,
      requests: steadyWindow.requests,
      afterMs: allConnectedAt! - startedAt,
    },
    timeline,
  };
}

/**
 * The requests sent in [from, to) (epoch ms; an open end is the first request sent or the
 * last answer): how many, 200s per second, latency percentiles and maximum, ms, and 5xx.
 */
export function windowFigures(timeline: Answer[], from: number, to: number) {
  const inWindow = timeline.filter((a) => a.start >= from && a.start < to);
  const latencies = inWindow.map((a) => a.end - a.start).sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] : 0;
  const start = Number.isFinite(from) ? from : inWindow.reduce((m, a) => Math.min(m, a.start), Infinity);
  const end = Number.isFinite(to) ? to : inWindow.reduce((m, a) => Math.max(m, a.end), -Infinity);
  const seconds = inWindow.length ? Math.max(0, end - start) / 1000 : 0;
  const ok = inWindow.filter((a) => a.status === 200).length;
  return {
    seconds,
    requests: inWindow.length,
    ok,
    holdsPerSecond: seconds > 0 ? ok / seconds : 0,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? 0,
    status5xx: inWindow.filter((a) => a.status >= 500).length,
  };
}
