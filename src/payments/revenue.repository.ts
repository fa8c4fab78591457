import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';

/** How a revenue report buckets time (UTC): Postgres's `date_trunc` fields; a week starts on Monday. */
export type RevenueGrouping = 'day' | 'week' | 'month';

/** One reservation's money in one bucket, in minor units of the report's currency. */
export interface ReservationRevenueRow {
  bucket: Date;
  reservationId: string;
  /** Captured by booking and renewal payments. */
  captured: number;
  /** Captured by fine charges. */
  fines: number;
  /** Refunded (succeeded refunds of any of the reservation's payments). */
  refunded: number;
}

/**
 * The revenue report's one query over payments and refunds (owned by payments): money
 * in and out per bucket and reservation. A payment counts in the bucket of its
 * attempt's creation (payments keep no capture time of their own), a refund in the
 * bucket it was made; failed and pending refunds are not money out.
 */
@Injectable()
export class RevenueRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async byReservation(from: Date, to: Date, grouping: RevenueGrouping, currency: string): Promise<ReservationRevenueRow[]> {
    const rows = await this.txHost.rows<{
      bucket: Date;
      reservationId: string;
      captured: string;
      fines: string;
      refunded: string;
    }>(
      `WITH moves AS (
         SELECT p.reservation_id, p.created_at AS at,
                CASE WHEN p.purpose = 'fine' THEN 0 ELSE p.captured_cents END AS captured,
                CASE WHEN p.purpose = 'fine' THEN p.captured_cents ELSE 0 END AS fines,
                0 AS refunded
           FROM payments p
          WHERE p.currency = $4 AND p.captured_cents > 0 AND p.created_at >= $1 AND p.created_at < $2
         UNION ALL
         SELECT p.reservation_id, r.created_at, 0, 0, r.amount_cents
           FROM refunds r JOIN payments p ON p.id = r.payment_id
          WHERE r.status = 'succeeded' AND p.currency = $4 AND r.created_at >= $1 AND r.created_at < $2
       )
       SELECT date_trunc($3, at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, reservation_id AS "reservationId",
              sum(captured)::bigint AS captured, sum(fines)::bigint AS fines, sum(refunded)::bigint AS refunded
         FROM moves
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [from, to, grouping, currency],
    );
    return rows.map((r) => ({
      bucket: r.bucket,
      reservationId: r.reservationId,
      captured: Number(r.captured),
      fines: Number(r.fines),
      refunded: Number(r.refunded),
    }));
  }
}
