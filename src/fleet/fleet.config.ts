import type { AppConfig } from '../config/app-config';

/** What the fleet module reads from the validated environment (src/config/config-slices.ts provides it). */
export class FleetConfig {
  /** FLEET_NATS_URL: the NATS server whose JetStream carries `fleet.events.>`; null: no consumer. */
  readonly natsUrl: string | null;
  /** FLEET_NATS_STREAM: the stream covering `fleet.events.>` (created when missing). */
  readonly stream: string;
  /** FLEET_NATS_DURABLE: the durable consumer's name, shared by every replica. */
  readonly durable: string;
  /** FLEET_WEBHOOK_SECRET as its list: any one may have signed an HTTP event (rotation). */
  readonly webhookSecrets: readonly string[];
  /** FLEET_API_MODE: where missed events are repaired from. */
  readonly apiMode: 'simulated' | 'http' | 'off';
  /** FLEET_API_URL: the fleet API's base URL (validated present with `http`). */
  readonly apiUrl: string | null;
  /** FLEET_API_KEY: sent as X-Api-Key when set. */
  readonly apiKey: string | null;
  /** FLEET_RECONCILE_MINUTES: between two pulls of the fleet API; 0: at start-up only. */
  readonly reconcileMinutes: number;

  constructor(env: AppConfig) {
    this.natsUrl = env.FLEET_NATS_URL ?? null;
    this.stream = env.FLEET_NATS_STREAM;
    this.durable = env.FLEET_NATS_DURABLE;
    this.webhookSecrets = Object.freeze(
      env.FLEET_WEBHOOK_SECRET.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
    this.apiMode = env.FLEET_API_MODE as FleetConfig['apiMode'];
    this.apiUrl = env.FLEET_API_URL?.replace(/\/+$/, '') ?? null;
    this.apiKey = env.FLEET_API_KEY ?? null;
    this.reconcileMinutes = env.FLEET_RECONCILE_MINUTES;
  }
}
