var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
var PaymentMetrics_1;
import { Injectable, Logger, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, MetricsRegistry } from '../metrics/metrics.registry.js';
/** Metric names, in one place. */
export const METRIC = {
    paymentCreationSeconds: 'payment_intent_creation_seconds',
    paymentOutcome: 'payment_outcomes_total',
    webhookDelaySeconds: 'webhook_processing_delay_seconds',
    webhookSignatureFailures: 'webhook_signature_failures_total',
    refundSeconds: 'refund_seconds',
};
/** Webhook delays (seconds) run from seconds to hours; 300 s is seed 003's alert threshold. */
const DELAY_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/**
 * Every payment metric with its labels, including the Stripe gateway's own
 * (`STRIPE_METRIC` in stripe.gateway.ts), registered up front so that each shows on
 * /metrics before its first event. A label not declared here is dropped (a Prometheus
 * metric has a fixed label set); a metric not declared here is registered with the
 * labels of its first use.
 */
const DEFINITIONS = {
    [METRIC.paymentCreationSeconds]: {
        type: 'histogram',
        help: 'Time to create (and, with a saved card, confirm) a PaymentIntent at the provider, by provider',
        labelNames: ['provider'],
        buckets: LATENCY_BUCKETS,
    },
    [METRIC.paymentOutcome]: {
        type: 'counter',
        help: 'Payment attempts by outcome: succeeded, declined, error (the provider failed or could not be reached)',
        labelNames: ['result'],
    },
    [METRIC.webhookDelaySeconds]: {
        type: 'histogram',
        help: 'Delay from a provider event being created to its webhook being processed, by event type',
        labelNames: ['type'],
        buckets: DELAY_BUCKETS,
    },
    [METRIC.webhookSignatureFailures]: {
        type: 'counter',
        help: 'Webhook requests refused for a missing or invalid signature',
        labelNames: [],
    },
    [METRIC.refundSeconds]: {
        type: 'histogram',
        help: 'Time to request a refund at the provider',
        labelNames: [],
        buckets: LATENCY_BUCKETS,
    },
    stripe_call_seconds: {
        type: 'histogram',
        help: 'Time of one Stripe API call, SDK retries and our 429 retries included, by operation',
        labelNames: ['operation'],
        buckets: LATENCY_BUCKETS,
    },
    stripe_call_errors_total: {
        type: 'counter',
        help: 'Stripe API calls that failed after every retry, by operation and kind (processing: timeout, connection, 5xx, 429)',
        labelNames: ['operation', 'kind'],
    },
    stripe_circuit_transitions_total: {
        type: 'counter',
        help: 'Stripe circuit breaker state changes, by new state',
        labelNames: ['to'],
    },
    stripe_circuit_rejections_total: {
        type: 'counter',
        help: 'Stripe calls refused at once because the circuit breaker was open, by operation',
        labelNames: ['operation'],
    },
};
const BREAKER_STATES = ['closed', 'open', 'half_open'];
/**
 * Payment metrics named in seed 003 (payment creation latency, success rate, webhook
 * processing delay, refund time, signature failures) and the Stripe gateway's. Each is
 * recorded into the app's Prometheus registry (served on `GET /metrics`) and kept in
 * memory for `snapshot()`. Without a registry (a gateway built by hand in a test) it
 * uses one of its own. Recording never throws: a metric used against its definition is
 * logged once and skipped, and the payment goes on.
 */
let PaymentMetrics = PaymentMetrics_1 = class PaymentMetrics {
    constructor(registry = new MetricsRegistry()) {
        this.registry = registry;
        this.logger = new Logger(PaymentMetrics_1.name);
        this.counters = new Map();
        this.histograms = new Map();
        this.prom = new Map();
        this.misused = new Set();
        this.breakerState = null;
        for (const [name, def] of Object.entries(DEFINITIONS))
            this.register(name, def);
    }
    increment(name, labels = {}) {
        const key = keyOf(name, labels);
        this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
        this.record(name, 'counter', labels, (metric, picked) => metric.inc(picked));
    }
    observe(name, value, labels = {}) {
        const key = keyOf(name, labels);
        const h = this.histograms.get(key) ?? { count: 0, sum: 0, max: 0 };
        h.count++;
        h.sum += value;
        h.max = Math.max(h.max, value);
        this.histograms.set(key, h);
        this.record(name, 'histogram', labels, (metric, picked) => metric.observe(picked, value));
    }
    snapshot() {
        return { counters: Object.fromEntries(this.counters), histograms: Object.fromEntries(this.histograms) };
    }
    /**
     * Exposes the gateway's circuit breaker as the gauge `stripe_circuit_state{state}`
     * (1 for the current state, 0 for the others), read at scrape time. A gateway without
     * a breaker (the simulated one) adds nothing.
     */
    watchGateway(gateway) {
        const read = gateway.breakerState;
        if (typeof read !== 'function')
            return;
        const first = this.breakerState === null;
        this.breakerState = () => read.call(gateway);
        if (!first)
            return;
        const current = () => this.breakerState?.() ?? 'closed';
        new Gauge({
            name: 'stripe_circuit_state',
            help: 'The Stripe circuit breaker: 1 for its current state (closed, open, half_open), 0 for the others',
            labelNames: ['state'],
            registers: [this.registry],
            collect() {
                const now = current();
                for (const state of BREAKER_STATES)
                    this.set({ state }, state === now ? 1 : 0);
            },
        });
    }
    record(name, type, labels, apply) {
        try {
            const entry = this.prom.get(name) ??
                this.register(name, DEFINITIONS[name] ?? { type, help: `${name} (see docs/operations.md)`, labelNames: Object.keys(labels).sort() });
            if (entry.type !== type)
                throw new Error(`${name} is a ${entry.type}`);
            apply(entry.metric, pick(labels, entry.labelNames));
        }
        catch (error) {
            if (this.misused.has(name))
                return;
            this.misused.add(name);
            this.logger.error({ err: error }, `metric ${name} could not be recorded`);
        }
    }
    register(name, def) {
        const common = { name, help: def.help, labelNames: def.labelNames, registers: [this.registry] };
        const metric = def.type === 'counter' ? new Counter(common) : new Histogram({ ...common, buckets: def.buckets ?? LATENCY_BUCKETS });
        const entry = { metric, labelNames: def.labelNames, type: def.type };
        this.prom.set(name, entry);
        return entry;
    }
};
PaymentMetrics = PaymentMetrics_1 = __decorate([
    Injectable(),
    __param(0, Optional()),
    __metadata("design:paramtypes", [MetricsRegistry])
], PaymentMetrics);
export { PaymentMetrics };
function pick(labels, names) {
    const out = {};
    for (const name of names)
        if (labels[name] !== undefined)
            out[name] = labels[name];
    return out;
}
function keyOf(name, labels) {
    const parts = Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${v}"`);
    return parts.length ? `${name}{${parts.join(',')}}` : name;
}
//# sourceMappingURL=metrics.service.js.map