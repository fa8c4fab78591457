var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';
import { PoolMetrics } from './pool-metrics.js';
/**
 * Prometheus metrics (docs/operations.md lists them): the app's registry, which any
 * module may inject to register its own metrics (hence global), HTTP request metrics
 * (`HttpMetrics.middleware`, which `createApp` mounts), database pool gauges, and `GET /metrics`. Node's process metrics
 * (CPU, memory, event loop, GC) are added outside tests: their collectors cannot be
 * stopped, and tests start many apps in one process.
 */
let MetricsModule = class MetricsModule {
};
MetricsModule = __decorate([
    Global(),
    Module({
        controllers: [MetricsController],
        providers: [
            {
                provide: MetricsRegistry,
                inject: [AppConfig],
                useFactory: (config) => {
                    const registry = new MetricsRegistry();
                    if (config.NODE_ENV !== 'test')
                        collectDefaultMetrics({ register: registry });
                    return registry;
                },
            },
            HttpMetrics,
            PoolMetrics,
        ],
        exports: [MetricsRegistry, HttpMetrics],
    })
], MetricsModule);
export { MetricsModule };
//# sourceMappingURL=metrics.module.js.map