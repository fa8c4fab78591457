import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, MetricsRegistry } from './metrics.registry';

/** The `route` label of a request that matched no route (a 404, or one refused before routing: bad JSON, too large). */
export const UNMATCHED_ROUTE = 'unmatched';

const LABELS = ['method', 'route', 'status'] as const;
const TIMED = Symbol('holdfast:http-metrics-timed');
/** The route template of a request answered outside Express's router (the hold lane, src/hold-lane.ts). */
export const METRICS_ROUTE = Symbol('holdfast:http-metrics-route');

/**
 * Counts every HTTP request and times it, by method, route TEMPLATE
 * (`/v1/reservations/:id`, never the raw URL, so ids never become label values) and
 * status, once the response has been sent. A request the client abandons before the
 * response is sent is not counted.
 *
 * `createApp` mounts `middleware` on Express first of all, so it also sees what never
 * reaches a route: 404s, bodies refused by the parsers (Nest's own middleware only runs
 * on matched routes).
 */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  private readonly lane: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: LABELS,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its response, by method, route template and status',
      labelNames: LABELS,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.lane = new Counter({
      name: 'http_hold_lane_requests_total',
      help: 'Hold requests the hold lane answered itself (served) or handed to the Nest pipeline (passed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    // Once per response: the hold lane (src/hold-lane.ts) starts the clock before it may hand the request to Express.
    if ((res as Response & { [TIMED]?: true })[TIMED]) return next();
    (res as Response & { [TIMED]?: true })[TIMED] = true;
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  /** Counts one hold request the hold lane served itself or passed to the Nest pipeline. */
  countLane(outcome: 'served' | 'passed'): void {
    this.lane.inc({ outcome });
  }
}

/**
 * The matched route's template with its mount point (`/v1/reservations/:id`), or
 * UNMATCHED_ROUTE. Nest answers a path under the global prefix that matches no route
 * with a catch-all route `*path` mounted at `/v1` (platform-express
 * `setNotFoundHandler`): that one counts as unmatched too.
 */
function routeTemplate(req: Request & { [METRICS_ROUTE]?: string }): string {
  if (req[METRICS_ROUTE] !== undefined) return req[METRICS_ROUTE];
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (path === undefined || path === null || path === '*path') return UNMATCHED_ROUTE;
  return `${req.baseUrl}${String(path)}`;
}
