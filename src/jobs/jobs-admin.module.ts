import { Module } from '@nestjs/common';
import { JobsModule } from '@holdfast/jobs';
import { DatabaseConnector } from '../database/database-connector';
import { AdminJobsController } from './admin-jobs.controller';
import { JobsConfig } from './jobs.config';
import { JobsMetrics } from './jobs-metrics';

/**
 * The app's job queue (libs/jobs, pg-boss on the app's database), started once the
 * database is connected; its admin routes (`/v1/admin/jobs`) and its metrics. Modules
 * inject `JobsService` from `@holdfast/jobs` (global) to register job types and enqueue.
 */
@Module({
  imports: [
    JobsModule.forRootAsync({
      inject: [JobsConfig, DatabaseConnector],
      useFactory: (config: JobsConfig, connector: DatabaseConnector) => ({
        connectionString: config.url,
        drainTimeoutMs: config.drainTimeoutMs,
        whenConnected: (what, task) => connector.whenConnected(what, task),
      }),
    }),
  ],
  controllers: [AdminJobsController],
  providers: [JobsMetrics],
})
export class JobsAdminModule {}
