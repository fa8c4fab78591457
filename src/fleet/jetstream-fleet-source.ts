import { Logger } from '@nestjs/common';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { redactUrl } from '@holdfast/errors';
import type { FleetDeliveryHandler, FleetEventSource } from './fleet-event-source.port';

/** The subjects the fleet publishes on. */
export const FLEET_SUBJECTS = 'fleet.events.>';
/** Deliveries of one message before it is given up (recorded as failed and terminated): nothing retries forever. */
export const FLEET_MAX_DELIVER = 10;
/** How long a delivery may stay unacknowledged before JetStream sends it again. */
const ACK_WAIT_MS = 60_000;
/** The delay before a failed event is delivered again, growing with the attempt (capped). */
const retryDelayMs = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 30_000);
/** The wait between two attempts to (re)start consuming after an error. */
const RESTART_DELAY_MS = 1000;

export interface JetStreamFleetOptions {
  url: string;
  stream: string;
  durable: string;
}

/**
 * The NATS JetStream adapter of FleetEventSource: a durable pull consumer (shared by every
 * replica, so each event goes to one of them) on the stream covering `fleet.events.>`,
 * created when missing. Explicit acks: a message is acknowledged after the handler's
 * transaction committed (or recorded it as not applicable); a failure is nak'ed with a
 * growing delay, and its last delivery (FLEET_MAX_DELIVER) is handed to the handler as
 * such and then terminated. The connection reconnects on its own; a consume loop that
 * ends (server restarted, consumer gone) is started again.
 */
export class JetStreamFleetSource implements FleetEventSource {
  private readonly logger = new Logger(JetStreamFleetSource.name);
  private nc: NatsConnection | null = null;
  private jsm: JetStreamManager | null = null;
  private messages: ConsumerMessages | null = null;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: JetStreamFleetOptions) {}

  async start(handler: FleetDeliveryHandler): Promise<void> {
    this.running = true;
    this.loop = this.supervise(handler);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.messages?.close()?.catch(() => undefined);
    await this.loop?.catch(() => undefined);
    const nc = this.nc;
    this.nc = null;
    await nc?.drain().catch(() => undefined);
  }

  async pending(): Promise<number | null> {
    if (!this.jsm) return null;
    try {
      const info = await this.jsm.consumers.info(this.options.stream, this.options.durable);
      return info.num_pending + info.num_ack_pending;
    } catch {
      return null;
    }
  }

  private async supervise(handler: FleetDeliveryHandler): Promise<void> {
    while (this.running) {
      try {
        await this.consume(handler);
      } catch (error) {
        if (this.running) this.logger.warn({ err: error }, 'fleet consumer stopped; restarting');
      }
      if (this.running) await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
    }
  }

  private async consume(handler: FleetDeliveryHandler): Promise<void> {
    const { stream, durable } = this.options;
    if (!this.nc || this.nc.isClosed()) {
      this.nc = await connect({ servers: this.options.url, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      this.logger.log(`consuming fleet events from ${redactUrl(this.options.url)} (stream ${stream}, consumer ${durable})`);
    }
    const jsm = (this.jsm = await jetstreamManager(this.nc));
    await jsm.streams.info(stream).catch(async () => {
      await jsm.streams.add({ name: stream, subjects: [FLEET_SUBJECTS] });
    });
    await jsm.consumers.info(stream, durable).catch(async () => {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: FLEET_SUBJECTS,
        max_deliver: FLEET_MAX_DELIVER,
        ack_wait: nanos(ACK_WAIT_MS),
      });
    });
    const consumer = await jetstream(this.nc).consumers.get(stream, durable);
    const messages = (this.messages = await consumer.consume({ max_messages: 16 }));
    for await (const message of messages) {
      const attempt = message.info.deliveryCount;
      const lastAttempt = attempt >= FLEET_MAX_DELIVER;
      let verdict: 'ack' | 'retry';
      try {
        verdict = await handler(Buffer.from(message.data), { attempt, lastAttempt });
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'fleet event handler failed');
        verdict = 'retry';
      }
      if (verdict === 'ack') message.ack();
      else if (lastAttempt) message.term('given up after the last delivery');
      else message.nak(retryDelayMs(attempt));
      if (!this.running) break;
    }
  }
}
