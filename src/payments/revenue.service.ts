import { Injectable } from '@nestjs/common';
import { type RevenueGrouping, RevenueRepository } from './revenue.repository';

export type { RevenueGrouping } from './revenue.repository';

/** One line of a revenue report: a time bucket and an offering kind. Amounts in minor units. */
export interface RevenueLine {
  /** The bucket's start (UTC midnight; a week's Monday, a month's first day). */
  periodStart: Date;
  /** The offering kind booked (`experience`, `product`, `rental`), `mixed` for a cart of several kinds, `unknown` when not known. */
  offeringKind: string;
  captured: number;
  fines: number;
  refunded: number;
  /** captured + fines - refunded. */
  net: number;
}

/** Who knows what kind of offering each reservation booked (reservations does; payments does not depend on it). */
export type OfferingKindsOf = (reservationIds: string[]) => Promise<Map<string, string>>;

/**
 * Revenue (DESIGN.md section 14's `revenueReport`): captured booking and renewal
 * payments plus fine charges minus refunds, by UTC day, week or month and offering kind,
 * in one currency. Payments owns the money, so the sums are one query here; the kind of
 * each reservation in the report comes from `kindsOf` in one more call.
 */
@Injectable()
export class RevenueService {
  constructor(private readonly repo: RevenueRepository) {}

  /** Lines in bucket order, then kind; `from <= time < to`. */
  async report(
    range: { from: Date; to: Date; groupBy: RevenueGrouping; currency: string },
    kindsOf: OfferingKindsOf,
  ): Promise<RevenueLine[]> {
    const rows = await this.repo.byReservation(range.from, range.to, range.groupBy, range.currency.toUpperCase());
    if (rows.length === 0) return [];
    const kinds = await kindsOf([...new Set(rows.map((r) => r.reservationId))]);
    const lines = new Map<string, RevenueLine>();
    for (const row of rows) {
      const offeringKind = kinds.get(row.reservationId) ?? 'unknown';
      const key = `${row.bucket.toISOString()}|${offeringKind}`;
      const line = lines.get(key) ?? { periodStart: row.bucket, offeringKind, captured: 0, fines: 0, refunded: 0, net: 0 };
      line.captured += row.captured;
      line.fines += row.fines;
      line.refunded += row.refunded;
      line.net = line.captured + line.fines - line.refunded;
      lines.set(key, line);
    }
    return [...lines.values()].sort(
      (a, b) => a.periodStart.getTime() - b.periodStart.getTime() || a.offeringKind.localeCompare(b.offeringKind),
    );
  }
}
