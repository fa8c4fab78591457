var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, MetricsRegistry } from './metrics.registry.js';
/** The `route` label of a request that matched no route (a 404, or one refused before routing: bad JSON, too large). */
export const UNMATCHED_ROUTE = 'unmatched';
const LABELS = ['method', 'route', 'status'];
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
let HttpMetrics = class HttpMetrics {
    constructor(registry) {
        this.middleware = (req, res, next) => {
            const started = process.hrtime.bigint();
            res.once('finish', () => {
                const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
                this.requests.inc(labels);
                this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
            });
            next();
        };
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
    }
};
HttpMetrics = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [MetricsRegistry])
], HttpMetrics);
export { HttpMetrics };
/**
 * The matched route's template with its mount point (`/v1/reservations/:id`), or
 * UNMATCHED_ROUTE. Nest answers a path under the global prefix that matches no route
 * with a catch-all route `*path` mounted at `/v1` (platform-express
 * `setNotFoundHandler`): that one counts as unmatched too.
 */
function routeTemplate(req) {
    const path = req.route?.path;
    if (path === undefined || path === null || path === '*path')
        return UNMATCHED_ROUTE;
    return `${req.baseUrl}${String(path)}`;
}
//# sourceMappingURL=http-metrics.js.map