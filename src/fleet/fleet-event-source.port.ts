/**
 * What a delivered event became: `ack` (handled, or recorded as not applicable: never
 * send it again) or `retry` (a failure on our side: deliver it again later).
 */
export type FleetDelivery = 'ack' | 'retry';

/** Handles one delivered event (its raw bytes); `attempt` counts deliveries from 1, `lastAttempt` when none will follow. */
export type FleetDeliveryHandler = (raw: Buffer, delivery: { attempt: number; lastAttempt: boolean }) => Promise<FleetDelivery>;

/**
 * A bus that delivers the fleet's events (DESIGN.md section 12): NATS JetStream today
 * (`JetStreamFleetSource`); a Google Pub/Sub subscription, which seed 002 names, is one
 * more adapter of this port. The adapter owns connecting, reconnecting after an outage,
 * at-least-once delivery and a bounded number of redeliveries; the handler owns applying
 * each event once.
 */
export interface FleetEventSource {
  /** Starts delivering (returns once started; delivery goes on in the background). */
  start(handler: FleetDeliveryHandler): Promise<void>;
  /** Stops taking new events and waits for the one in hand. */
  stop(): Promise<void>;
  /** How many events wait undelivered (the consumer lag), or null when unknown. */
  pending(): Promise<number | null>;
}

export const FLEET_EVENT_SOURCE = Symbol('FLEET_EVENT_SOURCE');
