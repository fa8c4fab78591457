import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { RecurringPass } from '@holdfast/database';
import { JobsService } from '@holdfast/jobs';
import { OBJECT_STORE, type ObjectStore } from '@holdfast/object-store';
import { AnalyticsConfig } from './analytics.config';
import { AnalyticsService } from './analytics.service';
import { ndjsonLines } from './ndjson';

/** The job that writes one UTC day's file. Data: `{ day: 'YYYY-MM-DD' }`. */
export const EXPORT_DAY_JOB = 'analytics-export-day';
const INTERVAL_NAME = 'analytics-export-nightly';
/** How often each replica checks whether tonight's export has been queued. */
const CHECK_EVERY_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The object key of a day's file: BigQuery loads `analytics/bookings/*.ndjson.gz` as NDJSON (gzip) as is. */
export const dayKey = (day: string): string => `analytics/bookings/${day}.ndjson.gz`;
/** The marker a night's run leaves once it has queued its days (so replicas and later checks queue them once). */
export const runKey = (day: string): string => `analytics/runs/${day}.json`;

/** `YYYY-MM-DD` of an instant, in UTC. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The `count` UTC days before the one of `nowMs`, newest first (today is never complete, so never written). */
export function lastDays(nowMs: number, count: number): string[] {
  const today = Date.parse(`${utcDay(nowMs)}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => utcDay(today - (i + 1) * DAY_MS));
}

/**
 * The nightly analytics export (DESIGN.md section 13, docs/analytics.md): once a day,
 * after ANALYTICS_EXPORT_HOUR_UTC, each of the last ANALYTICS_EXPORT_DAYS UTC days is
 * written as gzipped NDJSON to the object store, one file per day, replacing the file of
 * the night before, so late cancellations and refunds reach their day's file. Each day is
 * a job (`analytics-export-day`, retried with backoff, idempotent: it rewrites the whole
 * file), queued once per day and key across replicas.
 */
@Injectable()
export class AnalyticsExportJob implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AnalyticsExportJob.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    private readonly analytics: AnalyticsService,
    private readonly jobs: JobsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AnalyticsConfig,
    private readonly clock: Clock,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ day: string }>(EXPORT_DAY_JOB, (data) => this.exportDay(data.day), {
      retryLimit: 5,
      retryDelaySeconds: 60,
      expireInSeconds: 30 * 60,
    });
  }

  onApplicationBootstrap(): void {
    this.recurring.start(CHECK_EVERY_MS, () => this.nightly());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /**
   * The nightly check: after the export hour (UTC), when today's run has not been queued
   * yet, queues the last days and leaves today's marker. Returns the days queued (none
   * before the hour or when already done).
   */
  async nightly(): Promise<string[]> {
    const now = this.clock.nowMs();
    if (new Date(now).getUTCHours() < this.config.exportHourUtc) return [];
    const today = utcDay(now);
    const marker = await this.store.get(runKey(today));
    if (marker) {
      marker.destroy();
      return [];
    }
    const days = await this.enqueueDays(lastDays(now, this.config.exportDays));
    const body = JSON.stringify({ run: today, days, queuedAt: new Date(now).toISOString() });
    await this.store.put(runKey(today), Readable.from([body]), { contentType: 'application/json' });
    this.logger.log(`analytics export queued for ${days.join(', ')}`);
    return days;
  }

  /** Queues one job per day (a day already queued and not yet run is not queued twice). */
  async enqueueDays(days: string[]): Promise<string[]> {
    for (const day of days) await this.jobs.enqueue(EXPORT_DAY_JOB, { day }, { singletonKey: day });
    return days;
  }

  /**
   * Writes one UTC day's bookings (created that day) to its key, replacing the file: the
   * records stream chunk by chunk through gzip into the store (never the whole day in
   * memory). Returns the key and how many records it holds.
   */
  async exportDay(day: string): Promise<{ key: string; records: number; bytes: number }> {
    if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new Error(`not a day: ${day}`);
    const from = new Date(`${day}T00:00:00Z`);
    const range = { from, to: new Date(from.getTime() + DAY_MS) };
    let records = 0;
    const analytics = this.analytics;
    async function* lines(): AsyncGenerator<string> {
      for await (const chunk of analytics.stream(range)) {
        records += chunk.length;
        yield ndjsonLines(chunk);
      }
    }
    // pipeline, not pipe: a failed read destroys the gzip stream with its error, so the put fails (nothing kept).
    const body = createGzip();
    pipeline(Readable.from(lines()), body, () => undefined);
    const stored = await this.store.put(dayKey(day), body, { contentType: 'application/gzip' });
    this.logger.log(`analytics export of ${day}: ${records} records, ${stored.size} bytes`);
    return { key: stored.key, records, bytes: stored.size };
  }
}
