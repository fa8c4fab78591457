import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { jetstream, type JetStreamClient, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { redactUrl } from '@holdfast/errors';
import { RecurringPass, TransactionHost } from '@holdfast/database';
import { EventMetrics } from './event-metrics';
import { EventsConfig } from './events.config';
import { EventsRepository } from './events.repository';
import { toReservationEvent } from './events.service';
import { FlagsService } from '../flags/flags.service';
import { FLAGS } from '../flags/flags.types';

/** The JetStream stream the relay publishes to, and its subjects (`holdfast.events.<type>`). */
export const EVENTS_STREAM = 'HOLDFAST_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'holdfast.events';
/** How long JetStream remembers a message id to drop a re-publish (the stream's duplicate window). */
const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;
const BATCH = 500;
const PUBLISH_TIMEOUT_MS = 5000;
const INTERVAL_NAME = 'events-relay';

/**
 * Publishes the outbox to NATS JetStream when EVENTS_NATS_URL is set (docs/operations.md,
 * "The outbox and the event stream").
 *
 * One relay at a time across replicas: each pass runs in a transaction that first takes
 * a transaction-level advisory lock without waiting (another replica's pass holds it: this
 * one does nothing). It reads settled unpublished events in (position, id) order, publishes
 * them ONE AT A TIME, each awaited until JetStream acknowledges it (so a failure never
 * leaves a later event of a reservation delivered before an earlier one), and marks the
 * acknowledged ones published in the same transaction. A failure ends the pass: what was
 * acknowledged is marked, the rest is retried next pass, from the first unacknowledged
 * event. A crash between the acknowledgement and the commit re-publishes those events;
 * the event id is the message id, so JetStream drops the copy within its duplicate
 * window of an hour: at least once to the stream, exactly once per id within the window.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | null = null;

  constructor(
    private readonly txHost: TransactionHost,
    private readonly repo: EventsRepository,
    private readonly config: EventsConfig,
    private readonly metrics: EventMetrics,
    private readonly scheduler: SchedulerRegistry,
    private readonly flags: FlagsService,
  ) {}

  get enabled(): boolean {
    return this.config.natsUrl !== null;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.recurring.start(this.config.relayIntervalMs, () => this.drain());
  }

  /** Before the pool closes: no new pass, the running one finishes, then the connection drains. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
    const connection = this.connection;
    this.connection = null;
    await connection?.then(({ nc }) => nc.drain()).catch(() => undefined);
  }

  /**
   * Publishes every settled unpublished event, pass after pass, until none is left or a
   * pass fails (logged and counted; the next tick resumes). Returns how many it published.
   * With another replica relaying, returns 0 at once.
   */
  async drain(): Promise<number> {
    // Switched off at run time (PUT /v1/admin/flags/events.relay): events wait in the outbox.
    if (!(await this.flags.isEnabled(FLAGS.eventsRelay, true))) return 0;
    let total = 0;
    for (;;) {
      const { published, more } = await this.pass();
      total += published;
      if (!more) return total;
    }
  }

  private async pass(): Promise<{ published: number; more: boolean }> {
    let failure: unknown = null;
    const result = await this.txHost.run(async () => {
      if (!(await this.repo.tryRelayLock())) return { published: 0, more: false };
      const events = await this.repo.unpublished(BATCH);
      if (events.length === 0) return { published: 0, more: false };
      const acked: string[] = [];
      try {
        const { js } = await this.connect();
        for (const event of events) {
          await js.publish(`${EVENTS_SUBJECT_PREFIX}.${event.type}`, JSON.stringify(toReservationEvent(event)), {
            msgID: event.eventId,
            timeout: PUBLISH_TIMEOUT_MS,
          });
          acked.push(event.seq);
        }
      } catch (error) {
        failure = error;
      }
      await this.repo.markPublished(acked);
      return { published: acked.length, more: failure === null && events.length === BATCH };
    });
    this.metrics.published(result.published);
    if (failure !== null) {
      this.metrics.failed();
      this.logger.warn({ err: failure, published: result.published }, 'event relay pass stopped; the next pass resumes');
      throw failure;
    }
    return result;
  }

  /** The connection (made once, reconnecting on its own), and the stream, created if missing. */
  private connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connection ??= (async () => {
      const nc = await connect({ servers: this.config.natsUrl!, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.info(EVENTS_STREAM).catch(async () => {
          await jsm.streams.add({
            name: EVENTS_STREAM,
            subjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
            duplicate_window: nanos(DUPLICATE_WINDOW_MS),
          });
        });
        this.logger.log(`relaying events to ${redactUrl(this.config.natsUrl!)} (stream ${EVENTS_STREAM})`);
        return { nc, js: jetstream(nc) };
      } catch (error) {
        await nc.close().catch(() => undefined);
        throw error;
      }
    })();
    this.connection.catch(() => (this.connection = null)); // a failed first connect is retried next pass
    return this.connection;
  }
}
