/** The emails we send, one template each (src/notifications/templates/<template>.{subject,text,html}.eta). */
export const EMAIL_TEMPLATES = [
  'reservation_confirmed',
  'reservation_cancelled',
  'reservation_refunded',
  'payment_failed',
  'order_shipped',
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
