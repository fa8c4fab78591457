import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsRegistry } from './metrics.registry';

/**
 * Gauges of the node-postgres pool behind TypeORM's DataSource, read at scrape time.
 * TypeORM's Postgres driver keeps that pool as `driver.master` (typeorm 1.1.1,
 * `PostgresDriver.connect()`; it is undefined before connecting and after `destroy()`,
 * when every gauge reads 0).
 */
@Injectable()
export class PoolMetrics {
  constructor(registry: MetricsRegistry, @InjectDataSource() dataSource: DataSource) {
    const pool = (): Pool | undefined => (dataSource.driver as unknown as { master?: Pool }).master;
    const gauge = (name: string, help: string, read: (p: Pool) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const p = pool();
          this.set(p ? read(p) : 0);
        },
      });
    gauge('db_pool_connections', 'Open connections in the database pool, busy or idle', (p) => p.totalCount);
    gauge('db_pool_idle_connections', 'Open connections in the database pool that are idle', (p) => p.idleCount);
    gauge('db_pool_waiting_clients', 'Queries waiting for a free connection from the database pool', (p) => p.waitingCount);
    gauge('db_pool_max_connections', 'The size limit of the database pool (DB_POOL_SIZE)', (p) => p.options.max);
  }
}
