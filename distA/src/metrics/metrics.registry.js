var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
/**
 * The app's own prom-client registry: one per app instance, never prom-client's global
 * one (tests run several apps in one process, and a metric name registers once per
 * registry). Every metric of the app registers here, and `GET /metrics` renders it.
 */
let MetricsRegistry = class MetricsRegistry extends Registry {
};
MetricsRegistry = __decorate([
    Injectable()
], MetricsRegistry);
export { MetricsRegistry };
/** Buckets (seconds) for request latencies, from 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
//# sourceMappingURL=metrics.registry.js.map