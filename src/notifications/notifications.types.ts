/** The emails we send, one template each (src/notifications/templates/<template>.{subject,text,html}.eta). */
export const EMAIL_TEMPLATES = [
  'reservation_confirmed',
  'reservation_cancelled',
  'reservation_refunded',
  'payment_failed',
  'order_shipped',
  'rental_completed',
  'rental_payment_failed',
  'rental_action_required',
  'booking_moved',
  'booking_displaced',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/** One line of a booking as an email shows it. */
export interface EmailLine {
  title: string;
  quantity: number;
  /** A time slot (ISO instants) or a date range (ISO dates), or neither (a product). */
  startsAt?: string;
  endsAt?: string;
  startDate?: string;
  endDate?: string;
}

/** What every reservation email says: the booking as it stands after the change. */
export interface ReservationEmailData {
  guestName: string;
  /** The booking reference (confirmed bookings), else null. */
  reference: string | null;
  lines: EmailLine[];
  /** Minor units of `currency`. */
  totalCents: number;
  currency: string;
  /** reservation_cancelled / reservation_refunded: the money going back (minor units), 0 if none. */
  refundCents?: number;
  /** payment_failed: until when the guest may pay with another card (ISO instant). */
  holdExpiresAt?: string;
  /** order_shipped: who carries the parcel, and its tracking number. */
  shipment?: { carrier: string; trackingNumber: string };
  /** rental_*: the vehicle rental's times and money (DESIGN.md section 12). */
  rental?: RentalEmailData;
  /** booking_moved / booking_displaced: the vehicle the booking had, and the one it has now (null: none was free). */
  vehicleChange?: { from: EmailVehicle; to: EmailVehicle | null };
}

/** A vehicle as an email names it. */
export interface EmailVehicle {
  label: string;
  plate: string | null;
  model: string | null;
}

/** A fine on a vehicle rental as an email shows it. */
export interface RentalEmailFine {
  /** `late`, `refuel`, `distance`, `damage`, `cleaning` or `other`; any other is shown as "other". */
  kind: string;
  /** Minor units of the email's `currency`. */
  amountCents: number;
  /** Why, as assessed or as an admin wrote it (shown to the customer). */
  reason: string;
}

/**
 * A vehicle rental's facts for rental_completed, rental_payment_failed and
 * rental_action_required: times as ISO instants, money in minor units of the email's
 * `currency`, as they stand when the email is queued.
 */
export interface RentalEmailData {
  pickupAt?: string;
  returnAt?: string;
  /** The rental's price, before fines. */
  priceCents: number;
  /** Price plus fines: what the rental costs in all. */
  dueCents: number;
  /** Captured from the card's authorisation. */
  capturedCents: number;
  /** Charged separately (off-session fine charges that went through). */
  chargedCents: number;
  /** Refunded, all payments together. */
  refundedCents: number;
  /** Still to pay (a fine charge that was declined), 0 if nothing. */
  owedCents: number;
  /** The fines (those above zero). */
  fines: RentalEmailFine[];
  /** rental_action_required: until when the customer may confirm the authorisation (ISO instant). */
  actionDeadline?: string;
}

/** An email to queue: who gets it, about what, and what it says. */
export interface EmailRequest {
  template: EmailTemplate;
  /** The guest's address. Stored with the notification, never in job data or logs. */
  to: string;
  /** The user the email concerns (the reservation's owner), for the dev outbox's access check. */
  userId: string;
  reservationId: string | null;
  data: ReservationEmailData;
}

/** A rendered email, ready for a sender. */
export interface EmailMessage {
  /** The notification's id: the Message-ID's left part, so a resend can be recognised. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export const NOTIFICATION_STATUSES = ['queued', 'sent', 'suppressed', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** An email the dev outbox holds (GET /v1/dev/emails). */
export interface DevEmail {
  id: string;
  notificationId: string;
  template: EmailTemplate;
  reservationId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: Date;
}
