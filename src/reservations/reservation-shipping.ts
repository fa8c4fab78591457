import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { ShippingService } from '../shipping/shipping.service';
import type { ShippingAddress } from '../shipping/shipping.types';
import { TaxService } from '../tax/tax.service';
import type { ReservationDto } from './dto/reservation.dto';
import type { ChooseShippingDto, ShippingRatesResponseDto } from './dto/shipping.dto';
import { ReservationEmails } from './reservation-emails';
import { ReservationQueries } from './reservation-queries';
import { holdExpired, invalidStatus, isUuid, reservationNotFound } from './reservations.errors';
import { type ReservationState, ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';

/**
 * A product whose offering has no weight is quoted as this much per unit: a missing
 * weight is the catalog's omission, and the customer should not be the one who cannot
 * check out because of it. Logged, so the catalog gets fixed.
 */
export const DEFAULT_WEIGHT_GRAMS = 1000;

/**
 * Goods checkout (DESIGN.md section 11): shipping rates for a hold with products, the
 * chosen rate with its tax (the hold's total becomes subtotal - discount + shipping +
 * tax, which convert charges), and the shipment. Carriers and the tax service are asked
 * outside any transaction (they may take seconds); what they answered is written under
 * the reservation's lock, only while it is still a live hold.
 */
@Injectable()
export class ReservationShipping {
  private readonly logger = new Logger(ReservationShipping.name);

  constructor(
    private readonly txHost: TransactionHost,
    private readonly repo: ReservationsRepository,
    private readonly catalog: CatalogService,
    private readonly shipping: ShippingService,
    private readonly tax: TaxService,
    private readonly queries: ReservationQueries,
    private readonly reservations: ReservationsService,
    private readonly emails: ReservationEmails,
  ) {}

  /** POST /v1/reservations/{id}/shipping-rates: every enabled carrier's rates for the hold's goods. */
  async rates(user: AuthUser, id: string, address: ShippingAddress): Promise<ShippingRatesResponseDto> {
    const r = await this.liveHold(user, id);
    const quote = await this.shipping.quote(address, await this.weightOf(id), r.currency.trim(), id);
    return {
      rates: quote.rates.map((rate) => ({ ...rate })),
      fallback: quote.fallback,
      expiresAt: quote.expiresAt.toISOString(),
    };
  }

  /**
   * PUT /v1/reservations/{id}/shipping: takes a quoted rate (for this reservation and
   * this address, within its 15 minutes), prices the tax on goods and shipping, and
   * writes both into the hold's total. Choosing again replaces the choice. After convert
   * the shipping is fixed: 409 INVALID_HOLD_STATUS.
   */
  async choose(user: AuthUser, id: string, dto: ChooseShippingDto): Promise<ReservationDto> {
    const r = await this.liveHold(user, id);
    const rate = await this.shipping.takeRate(dto.rateId, id);
    if (!sameAddress(rate.address, dto.address)) {
      throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
        { field: 'rateId', message: 'this rate was quoted for another address: ask for rates for this one' },
      ]);
    }
    const record = await this.repo.findRecord(id);
    if (!record) throw reservationNotFound();
    const goods = record.originalCents - record.discountCents;
    const tax = await this.tax.quote(
      { country: dto.address.country, region: dto.address.region ?? null, postalCode: dto.address.postalCode },
      goods + rate.amount,
      r.currency.trim(),
    );
    const outcome = await this.txHost.run(async () => {
      const locked = await this.lock(user, id);
      if (locked.status === 'held' && locked.expired) {
        await this.reservations.expire([locked.id]);
        return 'expired' as const;
      }
      if (locked.status !== 'held') throw invalidStatus(locked.status, 'given a new shipping rate');
      await this.repo.chooseShipping(id, {
        address: { ...rate.address },
        rateId: rate.rateId,
        carrier: rate.carrier,
        service: rate.service,
        estimatedDays: rate.estimatedDays,
        shippingCents: rate.amount,
        taxCents: tax.taxCents,
        taxRate: tax.rate,
        taxEstimated: tax.estimated,
      });
      return 'chosen' as const;
    });
    if (outcome === 'expired') throw holdExpired();
    return this.queries.get(user, id);
  }

  /**
   * POST /v1/admin/reservations/{id}/shipments: the goods of a confirmed order left with
   * a carrier; the customer is emailed the tracking number (in the same transaction).
   * Recording the same shipment again changes nothing; a second, different one is refused.
   */
  async ship(admin: AuthUser, id: string, carrier: string, trackingNumber: string): Promise<ReservationDto> {
    await this.txHost.run(async () => {
      const locked = await this.lock(admin, id);
      if (!locked.needsShipping) {
        throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
          { field: 'id', message: 'nothing in this reservation is shipped' },
        ]);
      }
      if (locked.status !== 'confirmed') throw invalidStatus(locked.status, 'shipped');
      if (locked.shippedAt) {
        const record = await this.repo.findRecord(id);
        if (record?.shipmentCarrier === carrier && record.trackingNumber === trackingNumber) return;
        throw invalidStatus('shipped', 'shipped again');
      }
      if (await this.repo.markShipped(id, carrier, trackingNumber)) await this.emails.queue('order_shipped', id);
    });
    return this.queries.get(admin, id);
  }

  /** The reservation, if the user may act on it and it is a hold with goods that can still change. */
  private async liveHold(user: AuthUser, id: string): Promise<ReservationState> {
    if (!isUuid(id)) throw reservationNotFound();
    const r = await this.repo.find(id);
    if (!r || (r.userId !== user.sub && !user.roles.includes('admin'))) throw reservationNotFound();
    if (r.status === 'held' && r.expired) throw holdExpired();
    if (r.status !== 'held') throw invalidStatus(r.status, 'given a new shipping rate');
    if (!r.needsShipping) {
      throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
        { field: 'id', message: 'nothing in this reservation is shipped: it needs no shipping' },
      ]);
    }
    return r;
  }

  private async lock(user: AuthUser, id: string): Promise<ReservationState> {
    if (!isUuid(id)) throw reservationNotFound();
    const r = await this.repo.findForUpdate(id);
    if (!r || (r.userId !== user.sub && !user.roles.includes('admin'))) throw reservationNotFound();
    return r;
  }

  /** The parcel: every product line's weight times its quantity. */
  private async weightOf(id: string): Promise<number> {
    const items = (await this.repo.itemsOf([id])).filter((i) => i.kind === 'product');
    const offerings = await this.catalog.getOfferings(items.map((i) => i.offeringId));
    let grams = 0;
    for (const item of items) {
      const weight = offerings.get(item.offeringId)?.weightGrams;
      if (!weight) this.logger.warn(`offering ${item.offeringId} has no weightGrams: quoted as ${DEFAULT_WEIGHT_GRAMS} g`);
      grams += (weight || DEFAULT_WEIGHT_GRAMS) * item.quantity;
    }
    return grams;
  }
}

/** The same delivery address (what rates and tax depend on), however it was typed. */
function sameAddress(a: ShippingAddress, b: ShippingAddress): boolean {
  const key = (x: ShippingAddress) =>
    [x.country, x.region ?? '', x.postalCode, x.city, x.line1, x.line2 ?? '']
      .map((part) => part.trim().replace(/\s+/g, ' ').toUpperCase())
      .join('|');
  return key(a) === key(b);
}
