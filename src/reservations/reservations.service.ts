import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@holdfast/database';
import { AppError, type ErrorDetail } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import type { OfferingEntity } from '../catalog/offering.entity';
import { priceItem, sumPrices, type ItemPrice } from '../catalog/pricing';
import { AppConfig } from '../config/app-config';
import { InventoryService } from '../inventory/inventory.service';
import type { AllocationRequest, ShortResource } from '../inventory/inventory.types';
import type { HoldItemDto, HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { ReservationMetrics } from './reservation-metrics';
import { holdExpired, invalidStatus, isUuid, reservationNotFound } from './reservations.errors';
import type { ReservationStatus } from './reservation.entity';

const DAY_MS = 86_400_000;
const MAX_RENTAL_DAYS = 365;

/** A hold line, resolved against the catalog and inventory and priced. */
interface Line {
  itemId: string;
  offering: OfferingEntity;
  request: AllocationRequest;
  timeSlotId: string | null;
  sku: string | null;
  startDate: string | null;
  endDate: string | null;
  quantity: number;
  price: ItemPrice;
}

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', 'The request is not valid', [{ field, message }] satisfies ErrorDetail[]);

const offeringNotFound = (): AppError => new AppError('NOT_FOUND', 'Offering not found');

/**
 * Holds and their end: creates a hold (price it, allocate every item, insert the
 * reservation, all in one transaction), cancels one, and expires those past their time.
 */
@Injectable()
export class ReservationsService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
    private readonly metrics: ReservationMetrics,
  ) {}

  /**
   * Holds everything the request asks for, for HOLD_TTL_SECONDS, all or nothing. When a
   * resource is short, holds on it that are past their time are expired first (their
   * places come back), and the allocation is tried once more.
   */
  @Transactional()
  async hold(user: AuthUser, dto: HoldRequestDto): Promise<HoldResponseDto> {
    const lines = await this.resolveLines(dto);
    const currencies = new Set(lines.map((line) => line.offering.currency));
    if (currencies.size > 1) throw invalid('items', 'all items of one hold must be priced in the same currency');
    const total = sumPrices(lines.map((line) => line.price));
    const reservationId = randomUUID();

    await this.inventory.allocate(
      reservationId,
      lines.map((line) => line.request),
      (resource) => this.reclaimExpiredOn(resource),
    );

    const [row] = (await this.txHost.rows(
      `WITH r AS (
         INSERT INTO reservations (id, user_id, status, hold_expires_at, guest_name, guest_email, guest_phone, special_requests,
                                   original_cents, discount_cents, total_cents, currency, applied_discounts)
         VALUES ($1, $2, 'held', now() + make_interval(secs => $3), $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING hold_expires_at),
       i AS (
         INSERT INTO reservation_items (id, reservation_id, offering_id, kind, time_slot_id, sku, start_date, end_date, quantity,
                                        unit_price_cents, original_cents, discount_cents, total_cents)
         SELECT t.id, $1, t.offering_id, t.kind, t.time_slot_id, t.sku, t.start_date, t.end_date, t.quantity,
                t.unit_price, t.original, t.discount, t.total
           FROM unnest($13::uuid[], $14::uuid[], $15::text[], $16::uuid[], $17::text[], $18::date[], $19::date[], $20::int[],
                       $21::int[], $22::int[], $23::int[], $24::int[])
             AS t(id, offering_id, kind, time_slot_id, sku, start_date, end_date, quantity, unit_price, original, discount, total)
         RETURNING 1)
       SELECT r.hold_expires_at, (SELECT count(*) FROM i) AS items FROM r`,
      [
        reservationId,
        user.sub,
        this.config.HOLD_TTL_SECONDS,
        dto.guestName,
        dto.guestEmail,
        dto.guestPhone ?? null,
        dto.specialRequests ?? null,
        total.originalCents,
        total.discountCents,
        total.totalCents,
        lines[0].offering.currency,
        JSON.stringify(total.appliedDiscounts),
        lines.map((l) => l.itemId),
        lines.map((l) => l.offering.id),
        lines.map((l) => l.offering.kind),
        lines.map((l) => l.timeSlotId),
        lines.map((l) => l.sku),
        lines.map((l) => l.startDate),
        lines.map((l) => l.endDate),
        lines.map((l) => l.quantity),
        lines.map((l) => l.price.unitPriceCents),
        lines.map((l) => l.price.originalCents),
        lines.map((l) => l.price.discountCents),
        lines.map((l) => l.price.totalCents),
      ],
    )) as [{ hold_expires_at: Date }];
    this.metrics.holdCreated();

    return {
      reservation: {
        id: reservationId,
        status: 'held',
        holdExpiresAt: row.hold_expires_at.toISOString(),
        totalPrice: total.totalCents,
        originalPrice: total.originalCents,
        discountApplied: total.discountCents,
        currency: lines[0].offering.currency,
      },
      appliedDiscounts: total.appliedDiscounts,
      holdDurationMinutes: Math.ceil(this.config.HOLD_TTL_SECONDS / 60),
    };
  }

  /**
   * Cancels a hold and gives its places back. A hold already past its time is expired
   * instead (that change is kept) and the caller gets HOLD_EXPIRED.
   */
  async cancel(user: AuthUser, reservationId: string): Promise<void> {
    const outcome = await this.txHost.run(async () => {
      const reservation = await this.lockOwned(user, reservationId);
      if (reservation.status === 'held' && reservation.expired) {
        await this.expire([reservation.id]);
        return 'expired' as const;
      }
      if (reservation.status !== 'held') throw invalidStatus(reservation.status, 'cancelled');
      await this.inventory.release([reservation.id]);
      await this.txHost.manager.query(
        `UPDATE reservations SET status = 'cancelled', status_reason = 'USER_CANCELLED', updated_at = now() WHERE id = $1`,
        [reservation.id],
      );
      return 'cancelled' as const;
    });
    if (outcome === 'expired') throw holdExpired();
  }

  /**
   * Expires these reservations (held ones past their time, locked by the caller) and
   * releases their allocations. Returns how many it expired.
   */
  async expire(reservationIds: string[]): Promise<number> {
    if (reservationIds.length === 0) return 0;
    await this.inventory.release(reservationIds);
    const [, count] = (await this.txHost.manager.query(
      `UPDATE reservations SET status = 'expired', status_reason = 'HOLD_EXPIRED', updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'held'`,
      [reservationIds],
    )) as [unknown, number];
    this.metrics.holdsExpired(count);
    return count;
  }

  /** Releases whatever a reservation still holds and moves it to a final status (caller's transaction, row locked). */
  async releaseAndSetStatus(reservationId: string, status: 'cancelled' | 'expired', reason: string): Promise<void> {
    await this.inventory.release([reservationId]);
    await this.txHost.manager.query(`UPDATE reservations SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1`, [
      reservationId,
      status,
      reason,
    ]);
    if (status === 'expired') this.metrics.holdsExpired(1);
  }

  /** Locks a reservation the user may act on (their own; any for admins), or throws RESERVATION_NOT_FOUND. */
  private async lockOwned(user: AuthUser, id: string): Promise<{ id: string; status: ReservationStatus; expired: boolean }> {
    if (!isUuid(id)) throw reservationNotFound();
    const rows = (await this.txHost.manager.query(
      `SELECT id, user_id, status, hold_expires_at <= now() AS expired FROM reservations WHERE id = $1 FOR UPDATE`,
      [id],
    )) as { id: string; user_id: string; status: ReservationStatus; expired: boolean }[];
    const row = rows[0];
    if (!row || (row.user_id !== user.sub && !user.roles.includes('admin'))) throw reservationNotFound();
    return { id: row.id, status: row.status, expired: row.expired };
  }

  /** Shortage handler for allocate(): expires holds past their time on the short resource. */
  private async reclaimExpiredOn(resource: ShortResource): Promise<boolean> {
    const holders = await this.inventory.holdersOn(resource);
    if (holders.length === 0) return false;
    const due = (await this.txHost.manager.query(
      `SELECT id FROM reservations WHERE id = ANY($1::uuid[]) AND status = 'held' AND hold_expires_at <= now()
        ORDER BY id FOR UPDATE SKIP LOCKED`,
      [holders],
    )) as { id: string }[];
    return (await this.expire(due.map((r) => r.id))) > 0;
  }

  /** Turns either request form into priced lines, checking what exists and is bookable. */
  private async resolveLines(dto: HoldRequestDto): Promise<Line[]> {
    const seedForm = dto.experienceId !== undefined || dto.timeSlotId !== undefined || dto.numberOfGuests !== undefined;
    if (seedForm && dto.items) throw invalid('items', 'give either experienceId/timeSlotId/numberOfGuests or items, not both');
    if (!seedForm && !dto.items) throw invalid('items', 'give experienceId, timeSlotId and numberOfGuests, or items');
    if (seedForm) {
      const missing = (['experienceId', 'timeSlotId', 'numberOfGuests'] as const).filter((f) => dto[f] === undefined);
      if (missing.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          'The request is not valid',
          missing.map((field) => ({ field, message: `${field} is required` })),
        );
      }
      return [
        await this.resolveItem(
          { offeringId: dto.experienceId!, timeSlotId: dto.timeSlotId, quantity: dto.numberOfGuests },
          'experienceId',
          true,
        ),
      ];
    }
    const lines: Line[] = [];
    for (const [index, item] of dto.items!.entries()) lines.push(await this.resolveItem(item, `items.${index}`, false));
    return lines;
  }

  private async resolveItem(item: HoldItemDto, field: string, seedForm: boolean): Promise<Line> {
    const given = [
      item.timeSlotId !== undefined,
      item.sku !== undefined,
      item.startDate !== undefined || item.endDate !== undefined,
    ];
    if (given.filter(Boolean).length !== 1) throw invalid(field, 'give exactly one of timeSlotId, sku, or startDate and endDate');

    const offering = await this.catalog.getOffering(item.offeringId);
    const now = new Date();
    const itemId = randomUUID();
    const quantity = item.quantity ?? 1;

    if (item.timeSlotId !== undefined) {
      const slot = await this.inventory.getSlotForHold(item.timeSlotId);
      if (!slot || slot.offeringId !== item.offeringId) {
        throw new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist for this experience');
      }
      if (!offering) throw offeringNotFound();
      if (!offering.active || slot.status !== 'open' || slot.startsAt.getTime() <= now.getTime()) {
        throw new AppError('TIME_SLOT_NOT_AVAILABLE', 'This time slot is no longer available');
      }
      return {
        itemId,
        offering,
        request: { kind: 'slot', itemId, slotId: slot.id, quantity },
        timeSlotId: slot.id,
        sku: null,
        startDate: null,
        endDate: null,
        quantity,
        price: priceItem({
          basePriceCents: offering.basePriceCents,
          quantity,
          units: 1,
          rules: offering.pricingRules,
          startsAt: slot.startsAt,
          now,
        }),
      };
    }

    if (!offering) throw offeringNotFound();
    if (seedForm || offering.kind === 'experience') throw invalid(`${field}.timeSlotId`, 'an experience is booked by timeSlotId');
    if (!offering.active) throw new AppError('NOT_FOUND', 'This offering is not available');

    if (item.sku !== undefined) {
      if (offering.kind !== 'product') throw invalid(`${field}.sku`, 'only products are booked by sku');
      const stock = await this.inventory.getStockBySku(item.sku);
      if (!stock || stock.offeringId !== offering.id)
        throw new AppError('NOT_FOUND', `SKU ${item.sku} does not exist for this product`);
      return {
        itemId,
        offering,
        request: { kind: 'sku', itemId, stockItemId: stock.id, quantity },
        timeSlotId: null,
        sku: stock.sku,
        startDate: null,
        endDate: null,
        quantity,
        price: priceItem({
          basePriceCents: offering.basePriceCents,
          quantity,
          units: 1,
          rules: offering.pricingRules,
          startsAt: null,
          now,
        }),
      };
    }

    if (offering.kind !== 'rental') throw invalid(`${field}.startDate`, 'only rentals are booked by dates');
    if (!item.startDate || !item.endDate) throw invalid(`${field}.endDate`, 'a rental needs both startDate and endDate');
    if (item.quantity !== undefined && item.quantity !== 1) throw invalid(`${field}.quantity`, 'a rental line books one unit');
    const start = new Date(`${item.startDate}T00:00:00Z`);
    const end = new Date(`${item.endDate}T00:00:00Z`);
    const days = Math.round((end.getTime() - start.getTime()) / DAY_MS);
    if (days < 1) throw invalid(`${field}.endDate`, 'endDate must be after startDate');
    if (days > MAX_RENTAL_DAYS) throw invalid(`${field}.endDate`, `a rental lasts at most ${MAX_RENTAL_DAYS} days`);
    if (start.getTime() < Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) {
      throw invalid(`${field}.startDate`, 'startDate must not be in the past');
    }
    return {
      itemId,
      offering,
      request: { kind: 'unit', itemId, offeringId: offering.id, start, end },
      timeSlotId: null,
      sku: null,
      startDate: item.startDate,
      endDate: item.endDate,
      quantity: 1,
      price: priceItem({
        basePriceCents: offering.basePriceCents,
        quantity: 1,
        units: days,
        rules: offering.pricingRules,
        startsAt: start,
        now,
      }),
    };
  }
}
