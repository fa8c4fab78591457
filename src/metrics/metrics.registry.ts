import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';

/**
 * The app's own prom-client registry: one per app instance, never prom-client's global
 * one (tests run several apps in one process, and a metric name registers once per
 * registry). Every metric of the app registers here, and `GET /metrics` renders it.
 */
@Injectable()
export class MetricsRegistry extends Registry {}

/** Buckets (seconds) for request latencies, from 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
