var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { isUuid, reservationNotFound } from './reservations.errors.js';
/** The status a reader sees: a hold past its time is expired, whether or not the sweep has run. */
const EFFECTIVE_STATUS = `CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'expired' ELSE r.status END`;
const COLUMNS = `r.id, ${EFFECTIVE_STATUS} AS status, r.hold_expires_at, r.original_cents, r.discount_cents, r.total_cents,
  r.currency, r.applied_discounts, r.guest_name, r.guest_email, r.guest_phone, r.special_requests, r.reference,
  CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'HOLD_EXPIRED' ELSE r.status_reason END AS status_reason,
  r.created_at`;
/**
 * The read side of reservations: a page of them, or one, each with its items, offering
 * and time slot, in a fixed number of queries (no N+1). Users see their own; admins all.
 */
let ReservationQueries = class ReservationQueries {
    constructor(txHost) {
        this.txHost = txHost;
    }
    async list(user, query) {
        const params = [];
        const where = [];
        if (!user.roles.includes('admin')) {
            params.push(user.sub);
            where.push(`r.user_id = $${params.length}`);
        }
        if (query.status) {
            params.push(query.status);
            where.push(`${EFFECTIVE_STATUS} = $${params.length}`);
        }
        const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
        const manager = this.txHost.manager;
        const [rows, [{ total }]] = await Promise.all([
            manager.query(`SELECT ${COLUMNS} FROM reservations r ${filter} ORDER BY r.created_at DESC, r.id LIMIT ${query.limit} OFFSET ${query.offset}`, params),
            manager.query(`SELECT count(*)::int AS total FROM reservations r ${filter}`, params),
        ]);
        const reservations = await this.withItems(rows);
        return {
            reservations,
            pagination: { total, limit: query.limit, offset: query.offset, hasMore: query.offset + rows.length < total },
        };
    }
    /** One reservation the user may see, or RESERVATION_NOT_FOUND (also for another user's). */
    async get(user, id) {
        if (!isUuid(id))
            throw reservationNotFound();
        const params = [id];
        let owner = '';
        if (!user.roles.includes('admin')) {
            params.push(user.sub);
            owner = 'AND r.user_id = $2';
        }
        const rows = (await this.txHost.manager.query(`SELECT ${COLUMNS} FROM reservations r WHERE r.id = $1 ${owner}`, params));
        if (rows.length === 0)
            throw reservationNotFound();
        const [reservation] = await this.withItems(rows);
        return reservation;
    }
    async withItems(rows) {
        if (rows.length === 0)
            return [];
        const items = (await this.txHost.manager.query(`SELECT i.id, i.reservation_id, i.offering_id, i.kind, o.title, o.description, o.images, i.time_slot_id,
              s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, i.sku, i.start_date::text, i.end_date::text,
              i.quantity, i.unit_price_cents, i.total_cents
         FROM reservation_items i
         JOIN offerings o ON o.id = i.offering_id
         LEFT JOIN time_slots s ON s.id = i.time_slot_id
        WHERE i.reservation_id = ANY($1::uuid[])
        ORDER BY i.reservation_id, i.id`, [rows.map((r) => r.id)]));
        const byReservation = new Map();
        for (const item of items)
            byReservation.set(item.reservation_id, [...(byReservation.get(item.reservation_id) ?? []), item]);
        return rows.map((row) => toDto(row, byReservation.get(row.id) ?? []));
    }
};
ReservationQueries = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost])
], ReservationQueries);
export { ReservationQueries };
function toDto(row, items) {
    const first = items[0];
    const slotItem = items.find((i) => i.time_slot_id);
    return {
        id: row.id,
        status: row.status,
        experienceId: first?.offering_id ?? null,
        holdExpiresAt: row.hold_expires_at.toISOString(),
        totalPrice: row.total_cents,
        originalPrice: row.original_cents,
        discountApplied: row.discount_cents,
        currency: row.currency.trim(),
        appliedDiscounts: row.applied_discounts,
        guestName: row.guest_name,
        guestEmail: row.guest_email,
        guestPhone: row.guest_phone,
        specialRequests: row.special_requests,
        reservationReference: row.reference,
        statusReason: row.status_reason,
        createdAt: row.created_at.toISOString(),
        experience: first
            ? { id: first.offering_id, kind: first.kind, title: first.title, description: first.description, images: first.images }
            : null,
        timeSlot: slotItem && slotItem.slot_starts_at && slotItem.slot_ends_at
            ? {
                id: slotItem.time_slot_id,
                startsAt: slotItem.slot_starts_at.toISOString(),
                endsAt: slotItem.slot_ends_at.toISOString(),
            }
            : null,
        items: items.map((i) => ({
            id: i.id,
            offeringId: i.offering_id,
            kind: i.kind,
            title: i.title,
            timeSlotId: i.time_slot_id,
            sku: i.sku,
            startDate: i.start_date,
            endDate: i.end_date,
            quantity: i.quantity,
            unitPrice: i.unit_price_cents,
            totalPrice: i.total_cents,
        })),
    };
}
//# sourceMappingURL=reservation-queries.js.map