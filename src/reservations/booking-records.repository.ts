import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { BookingChunkRow, BookingCursor } from './booking-records.types';

/** The status a reader sees: a hold past its time is expired, whether or not the sweep has run. */
const EFFECTIVE_STATUS = `CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'expired' ELSE r.status END`;

/**
 * One row per booking with its lines as JSON; never the guest's name, email, phone or
 * requests, nor the user id. `createdMicros` is created_at in microseconds since the epoch
 * (as text: a bigint), exact, for the cursor: a JS Date keeps only milliseconds.
 */
const COLUMNS = `r.id, r.created_at AS "createdAt", (extract(epoch FROM r.created_at) * 1000000)::bigint::text AS "createdMicros",
  ${EFFECTIVE_STATUS} AS status,
  CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'HOLD_EXPIRED' ELSE r.status_reason END AS "statusReason",
  r.hold_expires_at AS "holdExpiresAt", r.updated_at AS "updatedAt", r.shipped_at AS "shippedAt",
  r.original_cents AS "originalCents", r.discount_cents AS "discountCents", r.shipping_cents AS "shippingCents",
  r.tax_cents AS "taxCents", r.total_cents AS "totalCents", rtrim(r.currency) AS currency,
  COALESCE((SELECT json_agg(json_build_object(
      'id', i.id, 'offeringId', i.offering_id, 'kind', i.kind, 'timeSlotId', i.time_slot_id, 'sku', i.sku,
      'startDate', i.start_date, 'endDate', i.end_date, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents,
      'originalCents', i.original_cents, 'discountCents', i.discount_cents, 'totalCents', i.total_cents) ORDER BY i.id)
    FROM reservation_items i WHERE i.reservation_id = r.id), '[]'::json) AS items`;

/** The instant of a cursor's microseconds, exactly (no float on the way). */
const CURSOR_AT = `(timestamptz 'epoch' + $3::bigint * interval '1 microsecond')`;

/**
 * Bookings in creation order for the analytics export (docs/analytics.md): keyset chunks
 * over `idx_reservations_created_id`, each ONE short statement (no cursor or transaction
 * held between chunks), so a walk over a year costs an index range scan per chunk.
 */
@Injectable()
export class BookingRecordsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** Up to `limit` bookings created in [from, to) after `cursor` (from the start without one), in (created_at, id) order. */
  chunk(from: Date, to: Date, cursor: BookingCursor | null, limit: number): Promise<BookingChunkRow[]> {
    return cursor
      ? this.txHost.rows<BookingChunkRow>(
          `SELECT ${COLUMNS} FROM reservations r
            WHERE r.created_at >= $1 AND r.created_at < $2 AND (r.created_at, r.id) > (${CURSOR_AT}, $4::uuid)
            ORDER BY r.created_at, r.id LIMIT $5`,
          [from, to, cursor.createdMicros, cursor.id, limit],
        )
      : this.txHost.rows<BookingChunkRow>(
          `SELECT ${COLUMNS} FROM reservations r
            WHERE r.created_at >= $1 AND r.created_at < $2
            ORDER BY r.created_at, r.id LIMIT $3`,
          [from, to, limit],
        );
  }
}
