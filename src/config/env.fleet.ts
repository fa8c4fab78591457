import { IsIn, IsOptional, IsUrl, Matches, ValidateIf } from 'class-validator';
import { IntInRange } from './env.decorators';

/**
 * The fleet's variables (DESIGN.md section 12, docs/fleet.md), beside the other
 * integrations' (env.integrations.ts, whose class extends this one).
 */
export class FleetVariables {
  /**
   * The fleet's events (DESIGN.md section 12, docs/fleet.md): the NATS server whose
   * JetStream carries `fleet.events.>`; unset: no consumer (the signed HTTP route still works).
   */
  @IsOptional()
  @IsUrl(
    { protocols: ['nats', 'tls'], require_tld: false, require_protocol: true },
    { message: 'FLEET_NATS_URL must be a nats:// (or tls://) URL' },
  )
  FLEET_NATS_URL?: string;

  /** The JetStream stream holding `fleet.events.>` (created when missing). */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'FLEET_NATS_STREAM must be a stream name (letters, digits, _ and -)' })
  FLEET_NATS_STREAM: string = 'FLEET_EVENTS';

  /** The durable consumer's name: replicas share it, so each event goes to one of them. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'FLEET_NATS_DURABLE must be a consumer name (letters, digits, _ and -)' })
  FLEET_NATS_DURABLE: string = 'holdfast-fleet';

  /**
   * Verifies `X-Fleet-Signature` on POST /v1/integrations/fleet/events: a comma-separated
   * list during a rotation (any one may have signed). The default is public (development only).
   */
  @Matches(/^ *[\x21-\x2b\x2d-\x7e]{16,} *(, *[\x21-\x2b\x2d-\x7e]{16,} *)*$/, {
    message: 'FLEET_WEBHOOK_SECRET must be printable ASCII secrets of at least 16 characters each, comma-separated',
  })
  FLEET_WEBHOOK_SECRET: string = 'fleet_holdfast_dev_secret';

  /**
   * Where missed fleet events are repaired from: `simulated` (an in-process fleet, the
   * development default; refused in production), `http` (GET {FLEET_API_URL}/vehicles) or
   * `off` (no reconciliation).
   */
  @IsIn(['simulated', 'http', 'off'])
  FLEET_API_MODE: string = 'simulated';

  @ValidateIf((env: FleetVariables) => env.FLEET_API_MODE === 'http' || env.FLEET_API_URL !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'FLEET_API_URL must be an http(s) URL, and is required when FLEET_API_MODE=http' },
  )
  FLEET_API_URL?: string;

  /** Sent as X-Api-Key to the fleet API, when set. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]+$/, { message: 'FLEET_API_KEY must be printable ASCII, no spaces' })
  FLEET_API_KEY?: string;

  /** Minutes between two pulls of the fleet API (besides the one at start-up); 0: only at start-up. */
  @IntInRange(0, 1440)
  FLEET_RECONCILE_MINUTES: number = 15;
}
