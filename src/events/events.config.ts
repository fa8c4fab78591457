import type { AppConfig } from '../config/app-config';

/** What the events module reads from the validated environment (src/config/config-slices.ts provides it). */
export class EventsConfig {
  /** EVENTS_NATS_URL: the NATS server the relay publishes to; null: no relay (the feed route only). */
  readonly natsUrl: string | null;
  /** EVENTS_RELAY_INTERVAL_MS: how often the relay looks for unpublished events. */
  readonly relayIntervalMs: number;

  constructor(env: AppConfig) {
    this.natsUrl = env.EVENTS_NATS_URL ?? null;
    this.relayIntervalMs = env.EVENTS_RELAY_INTERVAL_MS;
  }
}
