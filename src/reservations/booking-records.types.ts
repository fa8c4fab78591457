import type { ReservationStatus } from './reservation.entity';

/** Where a walk over bookings stands: the last booking read, by its exact creation time and id. */
export interface BookingCursor {
  /** created_at in microseconds since the epoch, as a decimal string (exact; a Date keeps milliseconds). */
  createdMicros: string;
  id: string;
}

/** One line of a booking as the analytics export reads it; dates `YYYY-MM-DD`, money in minor units. */
export interface BookingLineRow {
  id: string;
  offeringId: string;
  kind: string;
  timeSlotId: string | null;
  sku: string | null;
  startDate: string | null;
  endDate: string | null;
  quantity: number;
  unitPriceCents: number;
  originalCents: number;
  discountCents: number;
  totalCents: number;
}

/** A booking as the analytics export reads it: facts and money, no guest details. */
export interface BookingChunkRow {
  id: string;
  createdAt: Date;
  createdMicros: string;
  /** The effective status (a hold past its time is `expired`). */
  status: ReservationStatus;
  statusReason: string | null;
  holdExpiresAt: Date;
  updatedAt: Date;
  shippedAt: Date | null;
  originalCents: number;
  discountCents: number;
  shippingCents: number | null;
  taxCents: number;
  totalCents: number;
  currency: string;
  items: BookingLineRow[];
}

/** A chunk of bookings and the cursor after its last one (null when the range is done). */
export interface BookingChunk {
  rows: BookingChunkRow[];
  next: BookingCursor | null;
}
