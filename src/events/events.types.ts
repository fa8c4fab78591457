/** What happened to a reservation: the status it moved to, or its rental's (DESIGN.md section 13). */
export const EVENT_TYPES = [
  'held',
  'pending',
  'payment_failed',
  'confirmed',
  'cancelled',
  'refunded',
  'completed',
  'expired',
  // A vehicle rental's own state (its rentalStatus), beside the reservation's status.
  'rental_in_progress',
  'rental_returned',
  'rental_return_disputed',
  'rental_completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * An event as the feed serves it and the relay publishes it (the message body): ids and
 * facts only, never the guest's name, email or phone.
 */
export interface ReservationEvent {
  /** The event's id (a UUID): the NATS message id, so a re-published event is dropped as a duplicate. */
  id: string;
  type: EventType;
  reservationId: string;
  /** The reservation owner's id (the token's `sub`). */
  userId: string;
  /** When the change was made (its transaction's clock), ISO 8601. */
  occurredAt: string;
  /** What else the consumer may want: status reason, booking reference, total, currency, hold expiry. */
  payload: Record<string, unknown>;
}
