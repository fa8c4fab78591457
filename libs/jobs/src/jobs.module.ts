import { type DynamicModule, Global, Module } from '@nestjs/common';
import { JOBS_OPTIONS, type JobsOptions } from './jobs.options';
import { JobsService } from './jobs.service';

export interface JobsModuleAsyncOptions {
  /** Providers the factory reads (e.g. the app's DatabaseConnector and config slice). */
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => JobsOptions;
}

/**
 * The job queue, started with the app and stopped (workers drained) before its pool
 * closes. Global: any module injects JobsService to register its job types and enqueue.
 * Needs TransactionHost (the app's DatabaseModule provides it).
 */
@Global()
@Module({})
export class JobsModule {
  static forRootAsync(options: JobsModuleAsyncOptions): DynamicModule {
    return {
      module: JobsModule,
      providers: [
        {
          provide: JOBS_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (...args: unknown[]) => JobsOptions,
        },
        JobsService,
      ],
      exports: [JobsService],
    };
  }

  static forRoot(options: JobsOptions): DynamicModule {
    return JobsModule.forRootAsync({ useFactory: () => options });
  }
}
