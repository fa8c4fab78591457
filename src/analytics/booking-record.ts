import type { BookingChunkRow, BookingLineRow } from '../reservations/booking-records.service';

/**
 * One record of the analytics export (docs/analytics.md, "AnalyticsExport"): one line of
 * one booking, with the booking's own facts repeated on each of its lines. Money is in
 * minor units of `currency`; times are ISO-8601 UTC strings. No guest name, email, phone
 * or user id: nothing here identifies a person.
 */
export interface BookingRecord {
  reservationId: string;
  lineId: string;
  offeringId: string;
  offeringKind: string;
  vehicle: boolean;
  unitId: string | null;
  timeSlotId: string | null;
  sku: string | null;
  createdAt: string;
  startAt: string | null;
  endAt: string | null;
  leadTimeMinutes: number | null;
  quantity: number;
  partySize: number | null;
  days: number | null;
  unitPriceAmount: number;
  lineOriginalAmount: number;
  lineDiscountAmount: number;
  lineTotalAmount: number;
  bookingOriginalAmount: number;
  bookingDiscountAmount: number;
  shippingAmount: number;
  taxAmount: number;
  bookingTotalAmount: number;
  currency: string;
  status: string;
  statusReason: string | null;
  holdExpiresAt: string;
  pendingAt: string | null;
  confirmedAt: string | null;
  cancelledAt: string | null;
  refundedAt: string | null;
  expiredAt: string | null;
  completedAt: string | null;
  shippedAt: string | null;
  paymentStatus: string;
  paidAmount: number;
  refundedAmount: number;
  retainedAmount: number;
  lineCount: number;
}

/** What the other modules add to a chunk of bookings, each read in one batched query per chunk. */
export interface ChunkFacts {
  /** Time slots' start and end, by slot id (inventory). */
  slots: Map<string, { startsAt: Date; endsAt: Date }>;
  /** The rental unit of each reservation item, by item id (inventory's allocations). */
  unitsByItem: Map<string, string>;
  /** Vehicle offerings' ids (catalog). */
  vehicles: Set<string>;
  /** When each booking last entered each status, by reservation id (events). */
  statusTimes: Map<string, Map<string, Date>>;
  /** Money moved, by reservation id (payments); absent: no payment. */
  money: Map<string, { paymentStatus: string; paid: number; refunded: number }>;
}

const DAY_MS = 86_400_000;
const iso = (date: Date | null | undefined): string | null => (date ? new Date(date).toISOString() : null);
const dateStart = (date: string | null): Date | null => (date ? new Date(`${date}T00:00:00Z`) : null);

/** When a line starts and ends: its slot's times, or its booked dates at 00:00 UTC; null for goods. */
function periodOf(line: BookingLineRow, facts: ChunkFacts): { start: Date | null; end: Date | null } {
  if (line.timeSlotId) {
    const slot = facts.slots.get(line.timeSlotId);
    return { start: slot?.startsAt ?? null, end: slot?.endsAt ?? null };
  }
  return { start: dateStart(line.startDate), end: dateStart(line.endDate) };
}

/** The records of one booking (one per line; a booking without lines gives none). */
export function recordsOf(row: BookingChunkRow, facts: ChunkFacts): BookingRecord[] {
  const times = facts.statusTimes.get(row.id);
  const money = facts.money.get(row.id) ?? { paymentStatus: 'none', paid: 0, refunded: 0 };
  const createdAt = new Date(row.createdAt);
  return row.items.map((line) => {
    const { start, end } = periodOf(line, facts);
    const days = line.startDate && line.endDate && start && end ? Math.round((end.getTime() - start.getTime()) / DAY_MS) : null;
    return {
      reservationId: row.id,
      lineId: line.id,
      offeringId: line.offeringId,
      offeringKind: line.kind,
      vehicle: facts.vehicles.has(line.offeringId),
      unitId: facts.unitsByItem.get(line.id) ?? null,
      timeSlotId: line.timeSlotId,
      sku: line.sku,
      createdAt: createdAt.toISOString(),
      startAt: iso(start),
      endAt: iso(end),
      leadTimeMinutes: start ? Math.floor((start.getTime() - createdAt.getTime()) / 60_000) : null,
      quantity: line.quantity,
      partySize: line.kind === 'experience' ? line.quantity : null,
      days,
      unitPriceAmount: line.unitPriceCents,
      lineOriginalAmount: line.originalCents,
      lineDiscountAmount: line.discountCents,
      lineTotalAmount: line.totalCents,
      bookingOriginalAmount: row.originalCents,
      bookingDiscountAmount: row.discountCents,
      shippingAmount: row.shippingCents ?? 0,
      taxAmount: row.taxCents,
      bookingTotalAmount: row.totalCents,
      currency: row.currency,
      status: row.status,
      statusReason: row.statusReason,
      holdExpiresAt: iso(row.holdExpiresAt) as string,
      pendingAt: iso(times?.get('pending')),
      confirmedAt: iso(times?.get('confirmed')),
      cancelledAt: iso(times?.get('cancelled')),
      refundedAt: iso(times?.get('refunded')),
      // A hold past its time is expired before the sweep writes the event: its hold time is when.
      expiredAt: iso(times?.get('expired')) ?? (row.status === 'expired' ? iso(row.holdExpiresAt) : null),
      completedAt: iso(times?.get('completed')),
      shippedAt: iso(row.shippedAt),
      paymentStatus: money.paymentStatus,
      paidAmount: money.paid,
      refundedAmount: money.refunded,
      retainedAmount: Math.max(0, money.paid - money.refunded),
      lineCount: row.items.length,
    };
  });
}
