import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { JobsService } from '@holdfast/jobs';
import { MetricsRegistry } from '../metrics/metrics.registry';

/** The states the gauge reports; pg-boss's `created` is `queued` here, `cancelled` is left out. */
const REPORTED = { created: 'queued', retry: 'retry', active: 'active', completed: 'completed', failed: 'failed' } as const;

/**
 * `jobs{queue,state}`: jobs in pg-boss's job table per queue and state, counted at
 * scrape time (one GROUP BY; completed jobs leave the table after 12 hours, failed ones
 * after 14 days). Every registered queue reports every state, zeros included, so an
 * alert on `failed` sees the series before the first failure.
 */
@Injectable()
export class JobsMetrics {
  private readonly logger = new Logger('JobsMetrics');

  constructor(registry: MetricsRegistry, jobs: JobsService) {
    const logger = this.logger;
    new Gauge({
      name: 'jobs',
      help: 'Background jobs by queue and state (queued, retry, active, completed, failed), read at scrape time',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of jobs.registeredTypes()) {
          for (const state of Object.values(REPORTED)) this.set({ queue, state }, 0);
        }
        try {
          for (const row of await jobs.countByState()) {
            const state = REPORTED[row.state as keyof typeof REPORTED];
            if (state) this.set({ queue: row.queue, state }, row.count);
          }
        } catch (error) {
          // The database away (or not yet connected): the scrape still answers; the zeros stand.
          logger.warn(`job counts unavailable: ${(error as Error).message}`);
        }
      },
    });
  }
}
