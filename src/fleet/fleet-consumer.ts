import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { FLEET_EVENT_SOURCE, type FleetEventSource } from './fleet-event-source.port';
import { FleetEventsService } from './fleet-events.service';
import { FleetMetrics } from './fleet-metrics';

/**
 * Runs the fleet's event bus (FLEET_NATS_URL set: JetStream) into THE handler, with the
 * app: started at bootstrap, stopped before the pool closes. An event is acknowledged once
 * the handler's transaction committed, or once it was recorded as not applicable
 * (malformed, unknown vehicle, stale, duplicate); a failure is retried by the bus, and
 * its last delivery is recorded as `failed` so nothing retries forever.
 */
@Injectable()
export class FleetConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FleetConsumer.name);

  constructor(
    @Optional() @Inject(FLEET_EVENT_SOURCE) private readonly source: FleetEventSource | null,
    private readonly events: FleetEventsService,
    private readonly metrics: FleetMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.source) return;
    this.metrics.readPendingFrom(() => this.pending());
    await this.source.start(async (raw, { attempt, lastAttempt }) => {
      try {
        await this.events.handle(raw, 'nats');
        return 'ack';
      } catch (error) {
        this.metrics.received('nats', 'failed');
        this.logger.warn({ err: error, attempt }, 'fleet event failed; the bus delivers it again');
        if (lastAttempt) {
          await this.events
            .recordGivenUp(raw, 'nats', error instanceof Error ? error.message.slice(0, 300) : 'failed')
            .catch(() => undefined);
        }
        return 'retry';
      }
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.source?.stop();
  }

  /** The consumer's lag (messages not yet delivered or acknowledged), for the gauge; null without a bus. */
  async pending(): Promise<number | null> {
    return (await this.source?.pending()) ?? null;
  }
}
