import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseConnector } from '../database/database-connector';

/**
 * Readiness of the database: connected and migrated at start-up (`DatabaseConnector`),
 * then a `SELECT 1` through the app's own pool, with a timeout.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connector: DatabaseConnector,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check(timeoutMs: number): PromiseLike<HealthIndicatorResult<'database'>> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        if (!this.connector.connected) throw new Error('not connected yet (start-up keeps trying)');
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(timeoutMs);
  }
}
