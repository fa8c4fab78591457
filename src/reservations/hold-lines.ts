import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { AppError, type ErrorDetail } from '@holdfast/errors';
import { MAX_AMOUNT_MINOR, formatMinor } from '@holdfast/money';
import { CatalogService } from '../catalog/catalog.service';
import type { Offering } from '../catalog/catalog.types';
import { priceDependsOnStart, priceItem } from '../catalog/pricing';
import { InventoryService } from '../inventory/inventory.service';
import type { HoldItemDto, HoldRequestDto } from './dto/hold.dto';
import type { Line } from './hold-statement';
import { ReservationsConfig } from './reservations.config';

const DAY_MS = 86_400_000;
const MAX_RENTAL_DAYS = 365;

/** VALIDATION_FAILED naming one field of the hold request. */
export const invalid = (field: string, message: string): AppError =>
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

/** Minutes an IMS reservation outlives its hold (DESIGN.md section 10). */
export const IMS_GRACE_MINUTES = 15;

const offeringNotFound = (): AppError => new AppError('NOT_FOUND', 'Offering not found');

/**
 * What a hold request asks for, as priced lines: either request form (the seed's
 * experienceId/timeSlotId/numberOfGuests, or items), each item checked against the
 * catalog and inventory (it exists, is bookable, is booked the way its kind is) and
 * priced by the offering's rules. Takes nothing: ReservationsService does that.
 */
@Injectable()
export class HoldLines {
  constructor(
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly clock: Clock,
    private readonly config: ReservationsConfig,
  ) {}

  /** How long an IMS reservation lasts: the hold's time plus a 15-minute grace, so a payment at its last second finds it. */
  private get imsMinutes(): number {
    return Math.ceil(this.config.holdTtlSeconds / 60) + IMS_GRACE_MINUTES;
  }

  /**
   * Turns either request form into priced lines, checking what exists and is bookable.
   * `fresh`: read offerings and slots now (in the caller's transaction) rather than from
   * the caches the one-statement path prices with and then verifies in its statement.
   */
  async resolve(dto: HoldRequestDto, fresh: boolean): Promise<Line[]> {
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
      const slotLine = (slotId: string, startsAt: Date | null, priced: Offering): Line => ({
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
      let request: Line['request'];
      if (offering.inventorySource === 'external') {
        // The inventory system's item is the product's one SKU.
        if (item.sku !== offering.externalItemId) {
          throw new AppError('NOT_FOUND', `SKU ${item.sku} does not exist for this product`);
        }
        const imsItemId = offering.externalItemId;
        request = { kind: 'external', itemId, offeringId: offering.id, imsItemId, quantity, durationMinutes: this.imsMinutes };
      } else {
        const stock = await this.inventory.getStockBySku(item.sku);
        if (!stock || stock.offeringId !== offering.id)
          throw new AppError('NOT_FOUND', `SKU ${item.sku} does not exist for this product`);
        request = { kind: 'sku', itemId, stockItemId: stock.id, quantity };
      }
      return {
        itemId,
        offering,
        request,
        timeSlotId: null,
        sku: item.sku,
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
      request:
        offering.inventorySource === 'external' && offering.externalItemId
          ? {
              kind: 'external',
              itemId,
              offeringId: offering.id,
              imsItemId: offering.externalItemId,
              startDate: item.startDate,
              endDate: item.endDate,
              durationMinutes: this.imsMinutes,
            }
          : { kind: 'unit', itemId, offeringId: offering.id, start, end },
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
