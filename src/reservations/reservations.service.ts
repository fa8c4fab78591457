import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { SqlParams, TransactionHost, Transactional, sqlState } from '@holdfast/database';
import { AppError, type ErrorDetail } from '@holdfast/errors';
import { IdempotencyService, type IdempotentRequest } from '@holdfast/idempotency';
import { MAX_AMOUNT_MINOR, formatMinor } from '@holdfast/money';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import type { OfferingEntity } from '../catalog/offering.entity';
import { priceDependsOnStart, priceItem, sumPrices } from '../catalog/pricing';
import { InventoryService } from '../inventory/inventory.service';
import type { ShortResource } from '../inventory/inventory.types';
import type { HoldItemDto, HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { type Line, type NewHold, oneSlotHoldStatement, reservationInsertCtes } from './hold-statement';
import { ReservationMetrics } from './reservation-metrics';
import { ReservationsConfig } from './reservations.config';
import { holdExpired, invalidStatus, isUuid, reservationNotFound } from './reservations.errors';
import type { ReservationStatus } from './reservation.entity';

const DAY_MS = 86_400_000;
const MAX_RENTAL_DAYS = 365;

/** unique_violation (the key was used before), deadlock_detected, serialization_failure. */
const FALL_BACK_ON = new Set(['23505', '40P01', '40001']);

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', 'The request is not valid', [{ field, message }] satisfies ErrorDetail[]);

/**
 * Refuses a hold whose price before discounts exceeds what one payment can take
 * (MAX_AMOUNT_MINOR). The largest price times the largest party (50) or the longest
 * rental (365 days) is well past it, and past the 32-bit columns that store money; the
 * arithmetic before this check is exact (at most 20 x 50 x 365 x the largest price,
 * far below 2^53). The discounted total is never more than the original, so it fits too.
 */
function checkPayable(lines: Line[], field: string): Line[] {
  const original = lines.reduce((sum, line) => sum + line.price.originalCents, 0);
  if (original > MAX_AMOUNT_MINOR) {
    const currency = lines[0].offering.currency;
    throw invalid(
      field,
      `the hold comes to ${formatMinor(original, currency)} ${currency} before discounts; ` +
        `one payment can take at most ${formatMinor(MAX_AMOUNT_MINOR, currency)} ${currency}`,
    );
  }
  return lines;
}

const offeringNotFound = (): AppError => new AppError('NOT_FOUND', 'Offering not found');

/**
 * Holds and their end: creates a hold (price it, allocate every item, insert the
 * reservation and store the idempotent response, all in one statement or one
 * transaction), cancels one, and expires those past their time.
 */
@Injectable()
export class ReservationsService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly config: ReservationsConfig,
    private readonly metrics: ReservationMetrics,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Holds everything the request asks for, for HOLD_TTL_SECONDS, all or nothing, and
   * keeps the request's idempotency key with the response.
   *
   * A hold of one time slot (the mobile app's form) is first tried as ONE statement: the
   * key's lock, the guarded slot update, the ledger row, the reservation, its item and the
   * key's stored response, committed together in one round trip. Priced from the cached
   * slot and offering, it takes places only if the slot still starts then and the
   * offering still has that price. Anything else, a cart, a key used before, too few
   * places, a closed slot or a changed price, goes the general way: a transaction that
   * replays or refuses the key, reclaims expired holds when short, and says what is wrong.
   */
  async hold(user: AuthUser, dto: HoldRequestDto, keyed: IdempotentRequest): Promise<HoldResponseDto> {
    const held = await this.holdInOneStatement(user, dto, keyed);
    if (held) return held;
    // Holds of rental units queue per offering in memory before their transaction opens
    // (they would otherwise wait for the offering's lock on a pooled connection).
    const rentals = (dto.items ?? []).filter((item) => item.startDate !== undefined).map((item) => item.offeringId);
    return (await this.inventory.whileTakingUnits(rentals, () =>
      this.idempotency.atomic(keyed, () => this.holdInTransaction(user, dto)),
    )) as HoldResponseDto;
  }

  /** The fast path of `hold`; null when it took nothing and the general path must decide. */
  private async holdInOneStatement(
    user: AuthUser,
    dto: HoldRequestDto,
    keyed: IdempotentRequest,
  ): Promise<HoldResponseDto | null> {
    const oneSlot = dto.items ? dto.items.length === 1 && dto.items[0].timeSlotId !== undefined : dto.timeSlotId !== undefined;
    if (!oneSlot) return null;
    let line: Line;
    try {
      [line] = await this.resolveLines(dto, false);
    } catch (error) {
      if (error instanceof AppError) return null; // said again, after the key is checked, by the general path
      throw error;
    }
    if (line.timeSlotId === null) return null;

    const hold = this.newHold(user, dto, [line]);
    const { text, values } = oneSlotHoldStatement({
      hold,
      key: keyed,
      keyExpiresAt: this.idempotency.expiry(),
      allocationId: randomUUID(),
    });
    try {
      const [{ taken }] = await this.txHost.statement<{ taken: boolean }>(text, values);
      if (!taken) return null;
    } catch (error) {
      // A key used before (its primary key refuses the insert), or a rare deadlock: the
      // whole statement rolled back, and the general path replays, refuses or retries.
      if (FALL_BACK_ON.has(sqlState(error) ?? '')) return null;
      throw error;
    }
    this.metrics.holdCreated();
    return hold.response;
  }

  /** The general path of `hold`, inside the idempotency transaction. */
  @Transactional()
  private async holdInTransaction(user: AuthUser, dto: HoldRequestDto): Promise<HoldResponseDto> {
    const lines = await this.resolveLines(dto, true);
    const currencies = new Set(lines.map((line) => line.offering.currency));
    if (currencies.size > 1) throw invalid('items', 'all items of one hold must be priced in the same currency');
    const hold = this.newHold(user, dto, lines);

    await this.inventory.allocate(
      hold.id,
      lines.map((line) => line.request),
      (resource) => this.reclaimExpiredOn(resource),
    );
    const p = new SqlParams();
    await this.txHost.rows(`WITH ${reservationInsertCtes(p, hold, null)} SELECT count(*) FROM res_items`, p.values);
    this.metrics.holdCreated();
    return hold.response;
  }

  /**
   * A new hold's rows and the response that announces it, expiring HOLD_TTL_SECONDS from
   * the app's clock (both hold paths write this value; whether a hold has expired is then
   * decided in SQL against the database's now()).
   */
  private newHold(user: AuthUser, dto: HoldRequestDto, lines: Line[]): NewHold {
    const total = sumPrices(lines.map((line) => line.price));
    const id = randomUUID();
    const holdExpiresAt = new Date(this.clock.nowMs() + this.config.holdTtlSeconds * 1000);
    const currency = lines[0].offering.currency;
    return {
      id,
      userId: user.sub,
      dto,
      lines,
      total,
      currency,
      holdExpiresAt,
      response: {
        reservation: {
          id,
          status: 'held',
          holdExpiresAt: holdExpiresAt.toISOString(),
          totalPrice: total.totalCents,
          originalPrice: total.originalCents,
          discountApplied: total.discountCents,
          currency,
          paymentStatus: 'none',
        },
        appliedDiscounts: total.appliedDiscounts,
        holdDurationMinutes: Math.ceil(this.config.holdTtlSeconds / 60),
      },
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

  /**
   * Turns either request form into priced lines, checking what exists and is bookable.
   * `fresh`: read offerings and slots now (in the caller's transaction) rather than from
   * the caches the one-statement path prices with and then verifies in its statement.
   */
  private async resolveLines(dto: HoldRequestDto, fresh: boolean): Promise<Line[]> {
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
      const line = await this.resolveItem(
        { offeringId: dto.experienceId!, timeSlotId: dto.timeSlotId, quantity: dto.numberOfGuests },
        'experienceId',
        true,
        fresh,
      );
      return checkPayable([line], 'numberOfGuests');
    }
    const lines: Line[] = [];
    for (const [index, item] of dto.items!.entries()) lines.push(await this.resolveItem(item, `items.${index}`, false, fresh));
    return checkPayable(lines, 'items');
  }

  private async resolveItem(item: HoldItemDto, field: string, seedForm: boolean, fresh: boolean): Promise<Line> {
    const given = [
      item.timeSlotId !== undefined,
      item.sku !== undefined,
      item.startDate !== undefined || item.endDate !== undefined,
    ];
    if (given.filter(Boolean).length !== 1) throw invalid(field, 'give exactly one of timeSlotId, sku, or startDate and endDate');

    const offering = await this.catalog.getOffering(item.offeringId, { fresh });
    const now = this.clock.now(); // early-bird pricing and the start checks
    const itemId = randomUUID();
    const quantity = item.quantity ?? 1;

    if (item.timeSlotId !== undefined) {
      const slotLine = (slotId: string, startsAt: Date | null, priced: OfferingEntity): Line => ({
        itemId,
        offering: priced,
        request: { kind: 'slot', itemId, slotId, quantity },
        timeSlotId: slotId,
        sku: null,
        startDate: null,
        endDate: null,
        quantity,
        price: priceItem({
          basePriceCents: priced.basePriceCents,
          quantity,
          units: 1,
          rules: priced.pricingRules,
          startsAt,
          now,
        }),
        slotStartsAt: startsAt,
      });
      // The one-statement path checks the slot in its guarded update (that it exists for
      // this offering, is open and in the future): it reads the slot only to price by its start.
      if (!fresh && offering?.active && !priceDependsOnStart(offering.pricingRules)) {
        return slotLine(item.timeSlotId, null, offering);
      }
      const slot = await this.inventory.getSlotForHold(item.timeSlotId, { fresh });
      if (!slot || slot.offeringId !== item.offeringId) {
        throw new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist for this experience');
      }
      if (!offering) throw offeringNotFound();
      if (!offering.active || slot.status !== 'open' || slot.startsAt.getTime() <= now.getTime()) {
        throw new AppError('TIME_SLOT_NOT_AVAILABLE', 'This time slot is no longer available');
      }
      return slotLine(slot.id, slot.startsAt, offering);
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
        slotStartsAt: null,
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
      slotStartsAt: null,
    };
  }
}
