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
import { AppError } from '../../libs/errors/src/index.js';
import { DEFAULT_AVAILABILITY_DAYS, MAX_AVAILABILITY_DAYS, } from './dto/availability.dto.js';
import { findOfferingKind } from './offering-kind.js';
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * What is left to hold, for the public catalog. Plain reads outside any transaction:
 * a figure may be stale by the time the user holds, and the hold re-checks it anyway.
 */
let AvailabilityService = class AvailabilityService {
    constructor(txHost) {
        this.txHost = txHost;
    }
    query(sql, params) {
        return this.txHost.manager.query(sql, params);
    }
    /**
     * Availability of an offering in `[from, to)`: open slots with places left
     * (experience), stock per SKU (product), or units free for the whole window (rental).
     * Places held by holds that have expired but were not swept yet still count as taken.
     *
     * @throws AppError NOT_FOUND (no such offering, malformed id), VALIDATION_FAILED (bad window)
     */
    async forOffering(offeringId, window, now = new Date()) {
        const { from, to } = this.window(window, now);
        const kind = await findOfferingKind(this.txHost.manager, offeringId);
        if (!kind)
            throw new AppError('NOT_FOUND', 'Offering not found');
        if (kind === 'experience') {
            // Slots that already started cannot be held (InventoryRepository.takeSlot), so they are not offered.
            const rows = await this.query(`SELECT id, starts_at, ends_at, capacity, capacity - held - booked AS places_left, status
           FROM time_slots
          WHERE offering_id = $1 AND status = 'open' AND starts_at >= $2 AND starts_at < $3 AND starts_at > now()
          ORDER BY starts_at, id`, [offeringId, from, to]);
            const slots = rows.map((r) => ({
                id: r.id,
                startsAt: r.starts_at,
                endsAt: r.ends_at,
                capacity: r.capacity,
                placesLeft: r.places_left,
                status: r.status,
            }));
            return { offeringId, kind, slots };
        }
        if (kind === 'product') {
            const stock = await this.query(`SELECT sku, on_hand - held - sold AS available FROM stock_items WHERE offering_id = $1 ORDER BY sku`, [offeringId]);
            return { offeringId, kind, stock };
        }
        const units = await this.query(`SELECT ru.id, ru.label,
              ru.status = 'available' AND NOT EXISTS (
                SELECT 1 FROM allocations a
                 WHERE a.unit_id = ru.id AND a.state <> 'released' AND a.period && tstzrange($2, $3, '[)')
              ) AS available
         FROM rental_units ru
        WHERE ru.offering_id = $1 AND ru.status <> 'retired'
        ORDER BY ru.label, ru.id`, [offeringId, from, to]);
        return { offeringId, kind, from, to, units, availableUnits: units.filter((u) => u.available).length };
    }
    /** The window with its defaults, checked: `to` after `from`, at most a year and a day long. */
    window(query, now) {
        const from = query.from ? new Date(query.from) : now;
        const to = query.to ? new Date(query.to) : new Date(from.getTime() + DEFAULT_AVAILABILITY_DAYS * DAY_MS);
        if (to <= from) {
            throw new AppError('VALIDATION_FAILED', 'The window must end after it starts', [
                { field: 'to', message: 'to must be after from' },
            ]);
        }
        if (to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY_MS) {
            throw new AppError('VALIDATION_FAILED', `The window may span at most ${MAX_AVAILABILITY_DAYS} days`, [
                { field: 'to', message: `to must be at most ${MAX_AVAILABILITY_DAYS} days after from` },
            ]);
        }
        return { from, to };
    }
};
AvailabilityService = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost])
], AvailabilityService);
export { AvailabilityService };
//# sourceMappingURL=availability.service.js.map