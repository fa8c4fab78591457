import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { HttpMetrics } from './http-metrics';
import { MetricsConfig } from './metrics.config';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { PoolMetrics } from './pool-metrics';

/**
 * Prometheus metrics (docs/operations.md lists them): the app's registry, which any
 * module may inject to register its own metrics (hence global), HTTP request metrics
 * (`HttpMetrics.middleware`, which `createApp` mounts), database pool gauges, and `GET /metrics`. Node's process metrics
 * (CPU, memory, event loop, GC) are added outside tests: their collectors cannot be
 * stopped, and tests start many apps in one process.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: MetricsRegistry,
      inject: [MetricsConfig],
      useFactory: (config: MetricsConfig) => {
        const registry = new MetricsRegistry();
        if (config.processMetrics) collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    HttpMetrics,
    PoolMetrics,
  ],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
