import { Injectable } from '@nestjs/common';
import { SqlParams, TransactionHost } from '@holdfast/database';
import { type NewHold, reservationInsertCtes } from './hold-statement';
import { outboxInsertCte } from '../events/events.service';
import { EVENT_POSITION_SET, EVENT_RETURNING, reservationEvents } from './reservation-events';
import type { ReservationItemEntity } from './reservation-item.entity';
import type { ReservationEntity, ReservationStatus, ShippingAddressRecord } from './reservation.entity';

/** A reservation as readers see it (its status effective, see EFFECTIVE_STATUS). */
export type ReservationRecord = Pick<
  ReservationEntity,
  | 'id'
  | 'userId'
  | 'status'
  | 'holdExpiresAt'
  | 'originalCents'
  | 'discountCents'
  | 'totalCents'
  | 'currency'
  | 'appliedDiscounts'
  | 'guestName'
  | 'guestEmail'
  | 'guestPhone'
  | 'specialRequests'
  | 'reference'
  | 'statusReason'
  | 'createdAt'
  | 'shippingAddress'
  | 'shippingCarrier'
  | 'shippingService'
  | 'shippingEstimatedDays'
  | 'shippingCents'
  | 'taxCents'
  | 'taxRate'
  | 'taxEstimated'
  | 'shippedAt'
  | 'shipmentCarrier'
  | 'trackingNumber'
  | 'attentionReason'
  | 'flaggedAt'
>;

/** What acting on a reservation needs: who owns it, where it stands, what it costs. */
export type ReservationState = Pick<
  ReservationEntity,
  'id' | 'userId' | 'status' | 'totalCents' | 'currency' | 'reference' | 'shippingCents' | 'shippedAt'
> & {
  /** Its hold time has passed (by the database's clock), whatever its status. */
  expired: boolean;
  /** It has products, which are shipped: a rate must be chosen before convert (SHIPPING_REQUIRED). */
  needsShipping: boolean;
};

/** What choosing a shipping rate writes (with the tax it brings). */
export interface ShippingChoice {
  address: ShippingAddressRecord;
  rateId: string;
  carrier: string;
  service: string;
  estimatedDays: number;
  shippingCents: number;
  taxCents: number;
  taxRate: string;
  taxEstimated: boolean;
}

/** A reservation's line; dates as `YYYY-MM-DD`. */
export type ReservationItemRecord = Pick<
  ReservationItemEntity,
  | 'id'
  | 'reservationId'
  | 'offeringId'
  | 'kind'
  | 'timeSlotId'
  | 'sku'
  | 'startDate'
  | 'endDate'
  | 'quantity'
  | 'unitPriceCents'
  | 'totalCents'
>;

/** Filters of a reservation listing; absent ones do not filter. */
export interface ReservationFilter {
  userId?: string;
  /** The effective status (a held reservation past its time is `expired`). */
  status?: string;
  /** Made at or after (ISO 8601). */
  from?: string;
  /** Made before (ISO 8601). */
  to?: string;
}

/** One thing a refund window is measured against: an item's start and its offering's notice. */
export interface RefundWindowItem {
  slotStartsAt: Date | null;
  startDate: string | null;
  refundableUntilHours: number | null;
}

/** The status a reader sees: a hold past its time is expired, whether or not the sweep has run. */
const EFFECTIVE_STATUS = `CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'expired' ELSE r.status END`;

/**
 * The row-to-record mapping, in one place: every read names its columns and aliases
 * them to the entity's property names, so a row is its record.
 */
const RECORD_COLUMNS = `r.id, r.user_id AS "userId", ${EFFECTIVE_STATUS} AS status, r.hold_expires_at AS "holdExpiresAt",
  r.original_cents AS "originalCents", r.discount_cents AS "discountCents", r.total_cents AS "totalCents", r.currency,
  r.applied_discounts AS "appliedDiscounts", r.guest_name AS "guestName", r.guest_email AS "guestEmail",
  r.guest_phone AS "guestPhone", r.special_requests AS "specialRequests", r.reference,
  CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'HOLD_EXPIRED' ELSE r.status_reason END AS "statusReason",
  r.created_at AS "createdAt", r.shipping_address AS "shippingAddress", r.shipping_carrier AS "shippingCarrier",
  r.shipping_service AS "shippingService", r.shipping_estimated_days AS "shippingEstimatedDays",
  r.shipping_cents AS "shippingCents", r.tax_cents AS "taxCents", r.tax_rate AS "taxRate", r.tax_estimated AS "taxEstimated",
  r.shipped_at AS "shippedAt", r.shipment_carrier AS "shipmentCarrier", r.tracking_number AS "trackingNumber",
  r.attention_reason AS "attentionReason", r.flagged_at AS "flaggedAt"`;
const STATE_COLUMNS = `r.id, r.user_id AS "userId", r.status, r.hold_expires_at <= now() AS expired,
  r.total_cents AS "totalCents", r.currency, r.reference, r.shipping_cents AS "shippingCents", r.shipped_at AS "shippedAt",
  EXISTS (SELECT 1 FROM reservation_items i WHERE i.reservation_id = r.id AND i.kind = 'product') AS "needsShipping"`;
const ITEM_COLUMNS = `i.id, i.reservation_id AS "reservationId", i.offering_id AS "offeringId", i.kind, i.time_slot_id AS "timeSlotId",
  i.sku, i.start_date::text AS "startDate", i.end_date::text AS "endDate", i.quantity, i.unit_price_cents AS "unitPriceCents",
  i.total_cents AS "totalCents"`;

/** Statuses from which a paid reservation may be confirmed (an expired one after taking its places again). */
const CONFIRMABLE: ReservationStatus[] = ['held', 'pending', 'payment_failed', 'expired'];

/**
 * The SQL of reservations and their items, and only theirs (other modules' tables are
 * read through their services). Every method runs on the caller's transaction, or on its
 * own outside one (`TransactionHost.rows`); the `...ForUpdate` and `lock...` ones need
 * the caller's transaction to mean anything.
 */
@Injectable()
export class ReservationsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** A reservation's state, or null. */
  async find(id: string): Promise<ReservationState | null> {
    const rows = await this.txHost.rows<ReservationState>(`SELECT ${STATE_COLUMNS} FROM reservations r WHERE r.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A reservation's state, its row locked until the caller's transaction ends; or null. */
  async findForUpdate(id: string): Promise<ReservationState | null> {
    const rows = await this.txHost.rows<ReservationState>(
      `SELECT ${STATE_COLUMNS} FROM reservations r WHERE r.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** One reservation as readers see it; with `userId`, only if it is theirs. */
  async findRecord(id: string, userId?: string): Promise<ReservationRecord | null> {
    const rows = await this.txHost.rows<ReservationRecord>(
      userId === undefined
        ? `SELECT ${RECORD_COLUMNS} FROM reservations r WHERE r.id = $1`
        : `SELECT ${RECORD_COLUMNS} FROM reservations r WHERE r.id = $1 AND r.user_id = $2`,
      userId === undefined ? [id] : [id, userId],
    );
    return rows[0] ?? null;
  }

  /** A page of reservations, newest first, and how many match in all. */
  async list(filter: ReservationFilter, limit: number, offset: number): Promise<{ rows: ReservationRecord[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (condition: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.userId !== undefined) add((n) => `r.user_id = ${n}`, filter.userId);
    if (filter.status) add((n) => `${EFFECTIVE_STATUS} = ${n}`, filter.status);
    if (filter.from) add((n) => `r.created_at >= ${n}::timestamptz`, filter.from);
    if (filter.to) add((n) => `r.created_at < ${n}::timestamptz`, filter.to);
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, [{ total }]] = await this.txHost.all([
      () =>
        this.txHost.rows<ReservationRecord>(
          `SELECT ${RECORD_COLUMNS} FROM reservations r ${condition}
          ORDER BY r.created_at DESC, r.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, limit, offset],
        ),
      () => this.txHost.rows<{ total: number }>(`SELECT count(*)::int AS total FROM reservations r ${condition}`, params),
    ]);
    return { rows, total };
  }

  /** The items of these reservations, by reservation then id. */
  itemsOf(reservationIds: string[]): Promise<ReservationItemRecord[]> {
    return this.txHost.rows<ReservationItemRecord>(
      `SELECT ${ITEM_COLUMNS} FROM reservation_items i WHERE i.reservation_id = ANY($1::uuid[]) ORDER BY i.reservation_id, i.id`,
      [reservationIds],
    );
  }

  /**
   * The user's newest live booking of exactly one rental line, this offering for these
   * dates, that a payment may still be tried on (held, pending or payment_failed, its
   * hold time not passed), or null: seed 002's one-call booking pays on it again rather
   * than holding a second unit.
   */
  async findPayableRental(userId: string, offeringId: string, startDate: string, endDate: string): Promise<string | null> {
    const rows = await this.txHost.rows<{ id: string }>(
      `SELECT r.id FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
        WHERE r.user_id = $1 AND r.status IN ('held', 'pending', 'payment_failed') AND r.hold_expires_at > now()
          AND i.offering_id = $2 AND i.start_date = $3::date AND i.end_date = $4::date
          AND NOT EXISTS (SELECT 1 FROM reservation_items o WHERE o.reservation_id = r.id AND o.id <> i.id)
        ORDER BY r.created_at DESC LIMIT 1`,
      [userId, offeringId, startDate, endDate],
    );
    return rows[0]?.id ?? null;
  }

  /** Writes a new hold and its items (in the caller's transaction, its places already allocated). */
  async insertHold(hold: NewHold): Promise<void> {
    const p = new SqlParams();
    await this.txHost.rows(`WITH ${reservationInsertCtes(p, hold, null)} SELECT count(*) FROM res_items`, p.values);
  }

  /**
   * Locks, among these reservations, the holds past their time that no one else has
   * locked (FOR UPDATE SKIP LOCKED), in id order.
   */
  async lockExpiredHoldsAmong(ids: string[]): Promise<string[]> {
    const rows = await this.txHost.rows<{ id: string }>(
      `SELECT id FROM reservations WHERE id = ANY($1::uuid[]) AND status = 'held' AND hold_expires_at <= now()
        ORDER BY id FOR UPDATE SKIP LOCKED`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Moves these holds to expired (HOLD_EXPIRED); returns how many were still held. */
  async expireHolds(ids: string[]): Promise<number> {
    const rows = await this.txHost.rows<{ id: string }>(
      `WITH changed AS (
         UPDATE reservations SET status = 'expired', status_reason = 'HOLD_EXPIRED', updated_at = now(), ${EVENT_POSITION_SET}
          WHERE id = ANY($1::uuid[]) AND status = 'held'
          RETURNING ${EVENT_RETURNING}),
       ${reservationEvents('changed_events', 'changed')}
       SELECT id FROM changed`,
      [ids],
    );
    return rows.length;
  }

  /**
   * Sets a reservation's status and reason, whatever it was (the caller has locked and
   * checked it, so `before` reads the locked row); an event when the status changed.
   */
  async setStatus(id: string, status: ReservationStatus, reason: string | null): Promise<void> {
    await this.txHost.rows(
      `WITH before AS (SELECT id, status FROM reservations WHERE id = $1),
       changed AS (
         UPDATE reservations SET status = $2, status_reason = $3, updated_at = now(), ${EVENT_POSITION_SET}
          WHERE id = $1
          RETURNING ${EVENT_RETURNING}),
       ${reservationEvents('changed_events', 'changed', 'before')}
       SELECT id FROM changed`,
      [id, status, reason],
    );
  }

  /**
   * An event about the reservation that is not a status change of its own (a vehicle
   * rental's state, for the rentals module), in the caller's transaction and in the
   * reservation's event order (its position raised like a status change's).
   */
  async recordEvent(id: string, type: string, payload: Record<string, unknown>): Promise<void> {
    await this.txHost.rows(
      `WITH changed AS (
         UPDATE reservations SET ${EVENT_POSITION_SET} WHERE id = $1 RETURNING id, user_id, event_position),
       ${outboxInsertCte('recorded', `SELECT id, user_id, $2::text, event_position, $3::jsonb FROM changed`)}
       SELECT id FROM changed`,
      [id, type, JSON.stringify(payload)],
    );
  }

  /**
   * The reservation has a payment attempt in flight (its reason kept); an event when it
   * was not already pending (the caller has locked it).
   */
  async markPending(id: string): Promise<void> {
    await this.txHost.rows(
      `WITH before AS (SELECT id, status FROM reservations WHERE id = $1),
       changed AS (
         UPDATE reservations SET status = 'pending', updated_at = now(), ${EVENT_POSITION_SET}
          WHERE id = $1
          RETURNING ${EVENT_RETURNING}),
       ${reservationEvents('changed_events', 'changed', 'before')}
       SELECT id FROM changed`,
      [id],
    );
  }

  /** A pending reservation's payment was declined; any other status is left alone. True if it was pending. */
  async markPaymentFailed(id: string): Promise<boolean> {
    const rows = await this.txHost.rows(
      `WITH changed AS (
         UPDATE reservations SET status = 'payment_failed', status_reason = 'PAYMENT_DECLINED', updated_at = now(),
                ${EVENT_POSITION_SET}
          WHERE id = $1 AND status = 'pending'
          RETURNING ${EVENT_RETURNING}),
       ${reservationEvents('changed_events', 'changed')}
       SELECT id FROM changed`,
      [id],
    );
    return rows.length === 1;
  }

  /**
   * Confirms a reservation with its booking reference, if it is still confirmable (held,
   * pending, payment_failed, or expired with its places taken again); true if it was.
   * A reference already in use fails the statement (unique), so the caller runs it in a
   * savepoint (see `inSavepoint`).
   */
  async confirm(id: string, reference: string, reason: string | null): Promise<boolean> {
    const rows = await this.txHost.rows<{ id: string }>(
      `WITH changed AS (
         UPDATE reservations SET status = 'confirmed', reference = $2, status_reason = $3, updated_at = now(), ${EVENT_POSITION_SET}
          WHERE id = $1 AND status = ANY($4::text[])
          RETURNING ${EVENT_RETURNING}),
       ${reservationEvents('changed_events', 'changed')}
       SELECT id FROM changed`,
      [id, reference, reason, CONFIRMABLE],
    );
    return rows.length === 1;
  }

  /**
   * Records the chosen shipping rate and its tax on a hold, and makes them part of its
   * total; true if it was still held (the caller has locked it).
   */
  async chooseShipping(id: string, choice: ShippingChoice): Promise<boolean> {
    const rows = await this.txHost.rows<{ id: string }>(
      `UPDATE reservations SET shipping_address = $2::jsonb, shipping_rate_id = $3, shipping_carrier = $4, shipping_service = $5,
              shipping_estimated_days = $6, shipping_cents = $7, tax_cents = $8, tax_rate = $9, tax_estimated = $10,
              total_cents = original_cents - discount_cents + $7 + $8, updated_at = now()
        WHERE id = $1 AND status = 'held'
        RETURNING id`,
      [
        id,
        JSON.stringify(choice.address),
        choice.rateId,
        choice.carrier,
        choice.service,
        choice.estimatedDays,
        choice.shippingCents,
        choice.taxCents,
        choice.taxRate,
        choice.taxEstimated,
      ],
    );
    return rows.length === 1;
  }

  /** Marks a confirmed reservation's goods shipped, once; true if this call did. */
  async markShipped(id: string, carrier: string, trackingNumber: string): Promise<boolean> {
    const rows = await this.txHost.rows<{ id: string }>(
      `UPDATE reservations SET shipped_at = now(), shipment_carrier = $2, tracking_number = $3, updated_at = now()
        WHERE id = $1 AND status = 'confirmed' AND shipping_cents IS NOT NULL AND shipped_at IS NULL
        RETURNING id`,
      [id, carrier, trackingNumber],
    );
    return rows.length === 1;
  }

  /**
   * Runs `fn` in a savepoint of the caller's transaction: when it throws, its writes are
   * undone and the transaction goes on (the error is rethrown).
   */
  async inSavepoint<T>(name: 'reference' | 'retake', fn: () => Promise<T>): Promise<T> {
    await this.txHost.rows(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      await this.txHost.rows(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.txHost.rows(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }

  /**
   * Claims up to `limit` reservations whose payment was in flight when their time ran out
   * with a lease of `leaseSeconds`, in one statement under FOR UPDATE SKIP LOCKED, so
   * replicas sweeping at once claim each once. Oldest first.
   */
  async claimExpiredPending(limit: number, leaseSeconds: number): Promise<string[]> {
    const rows = await this.txHost.rows<{ id: string; hold_expires_at: Date }>(
      `UPDATE reservations SET sweep_claimed_until = now() + make_interval(secs => $1)
        WHERE id IN (
          SELECT id FROM reservations
           WHERE status IN ('pending', 'payment_failed') AND hold_expires_at <= now()
             AND (sweep_claimed_until IS NULL OR sweep_claimed_until <= now())
           ORDER BY hold_expires_at LIMIT $2
             FOR UPDATE SKIP LOCKED)
        RETURNING id, hold_expires_at`,
      [leaseSeconds, limit],
    );
    rows.sort((a, b) => a.hold_expires_at.getTime() - b.hold_expires_at.getTime());
    return rows.map((r) => r.id);
  }

  /** Gives back the sweep's claims on these reservations. */
  async releaseSweepClaims(ids: string[]): Promise<void> {
    await this.txHost.rows(`UPDATE reservations SET sweep_claimed_until = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Locks a reservation if it is still pending or payment_failed past its time and no one else holds it; else false. */
  async lockExpiredPending(id: string): Promise<boolean> {
    const rows = await this.txHost.rows<{ id: string }>(
      `SELECT id FROM reservations WHERE id = $1 AND status IN ('pending', 'payment_failed') AND hold_expires_at <= now()
         FOR UPDATE SKIP LOCKED`,
      [id],
    );
    return rows.length === 1;
  }

  /**
   * True when every item starts at least its offering's `refundableUntilHours` from now
   * (the database's clock); an item without a start never blocks, an offering without
   * hours (never refundable) always does, and no items at all is not refundable.
   */
  async refundWindowOpen(items: RefundWindowItem[]): Promise<boolean> {
    const [row] = await this.txHost.rows<{ ok: boolean | null }>(
      `SELECT bool_and(t.hours IS NOT NULL
                       AND COALESCE(t.slot_starts_at, t.start_date::timestamptz, now() + interval '100 years')
                           >= now() + make_interval(hours => t.hours)) AS ok
         FROM unnest($1::timestamptz[], $2::date[], $3::int[]) AS t(slot_starts_at, start_date, hours)`,
      [items.map((i) => i.slotStartsAt), items.map((i) => i.startDate), items.map((i) => i.refundableUntilHours)],
    );
    return row?.ok === true;
  }
}
