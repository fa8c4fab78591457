import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { pageOf } from '@holdfast/pagination';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import type { Offering } from '../catalog/catalog.types';
import { InventoryService } from '../inventory/inventory.service';
import type { SlotInfo } from '../inventory/inventory.types';
import type { ReservationPayments } from '../payments/payment-status';
import { PaymentsService } from '../payments/payments.service';
import type {
  AdminListReservationsQueryDto,
  ListReservationsQueryDto,
  ReservationDto,
  ReservationItemDto,
  ReservationListDto,
} from './dto/reservation.dto';
import { isUuid, reservationNotFound } from './reservations.errors';
import {
  type ReservationFilter,
  type ReservationItemRecord,
  type ReservationRecord,
  ReservationsRepository,
} from './reservations.repository';

/** An item with what it booked: its offering and, for a slot, the slot. */
export interface ShownItem {
  item: ReservationItemRecord;
  offering: Offering;
  slot: SlotInfo | undefined;
}

/**
 * The read side of reservations: a page of them, or one, each with its items, offering,
 * time slot, payments and refunds, in a fixed number of queries (no N+1: the page, its
 * items, their offerings and slots, its payments), each module's rows read through its
 * service. Users see their own; admins all.
 */
@Injectable()
export class ReservationQueries {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly repo: ReservationsRepository,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
  ) {}

  /** GET /v1/reservations: the user's own (admins: everyone's). */
  async list(user: AuthUser, query: ListReservationsQueryDto): Promise<ReservationListDto> {
    return this.page(query, { userId: user.roles.includes('admin') ? undefined : user.sub });
  }

  /** GET /v1/admin/reservations: any user's, filtered by user and by when they were made. */
  async adminList(query: AdminListReservationsQueryDto): Promise<ReservationListDto> {
    return this.page(query, { userId: query.userId, from: query.from, to: query.to });
  }

  private async page(query: ListReservationsQueryDto, filter: ReservationFilter): Promise<ReservationListDto> {
    const { rows, total } = await this.repo.list({ ...filter, status: query.status }, query.limit, query.offset);
    const reservations = await this.withItems(rows);
    return {
      reservations,
      pagination: pageOf(total, query.limit, query.offset),
    };
  }

  /** One reservation the user may see, or RESERVATION_NOT_FOUND (also for another user's). */
  async get(user: AuthUser, id: string): Promise<ReservationDto> {
    if (!isUuid(id)) throw reservationNotFound();
    const row = await this.repo.findRecord(id, user.roles.includes('admin') ? undefined : user.sub);
    if (!row) throw reservationNotFound();
    const [reservation] = await this.withItems([row]);
    return reservation;
  }

  /**
   * The kind of offering each reservation booked (`experience`, `product`, `rental`), or
   * `mixed` for a cart of several kinds, in one query: the revenue report's grouping.
   */
  async offeringKinds(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    for (const item of await this.repo.itemsOf(ids)) {
      const seen = out.get(item.reservationId);
      out.set(item.reservationId, seen === undefined || seen === item.kind ? item.kind : 'mixed');
    }
    return out;
  }

  /**
   * One reservation's row, shown items and money, for the app's own use (no access
   * check): what an email about it says. Reads through the caller's transaction, so it
   * sees the change being made.
   */
  async details(id: string): Promise<{ record: ReservationRecord; items: ShownItem[]; money: ReservationPayments } | null> {
    const record = await this.repo.findRecord(id);
    if (!record) return null;
    const [items, money] = await this.txHost.all([() => this.itemsOf([id]), () => this.payments.forReservations([id])]);
    return { record, items, money: money.get(id)! };
  }

  private async withItems(rows: ReservationRecord[]): Promise<ReservationDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [items, money] = await this.txHost.all([() => this.itemsOf(ids), () => this.payments.forReservations(ids)]);
    const byReservation = new Map<string, ShownItem[]>();
    for (const shown of items) {
      const key = shown.item.reservationId;
      byReservation.set(key, [...(byReservation.get(key) ?? []), shown]);
    }
    return rows.map((row) => toDto(row, byReservation.get(row.id) ?? [], money.get(row.id)!));
  }

  private async itemsOf(ids: string[]): Promise<ShownItem[]> {
    const items = await this.repo.itemsOf(ids);
    const [offerings, slots] = await this.txHost.all([
      () => this.catalog.getOfferings(items.map((i) => i.offeringId)),
      () => this.inventory.getSlots(items.flatMap((i) => (i.timeSlotId ? [i.timeSlotId] : []))),
    ]);
    return items.flatMap((item) => {
      const offering = offerings.get(item.offeringId);
      return offering ? [{ item, offering, slot: item.timeSlotId ? slots.get(item.timeSlotId) : undefined }] : [];
    });
  }
}

function toDto(row: ReservationRecord, items: ShownItem[], money: ReservationPayments): ReservationDto {
  const first = items[0];
  const slotItem = items.find((i) => i.item.timeSlotId);
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    // `scheduled` is an authorisation still to come: only a booking that stands has one.
    paymentStatus: money.paymentStatus === 'scheduled' && row.status !== 'confirmed' ? 'none' : money.paymentStatus,
    experienceId: first?.item.offeringId ?? null,
    holdExpiresAt: row.holdExpiresAt.toISOString(),
    totalPrice: row.totalCents,
    originalPrice: row.originalCents,
    discountApplied: row.discountCents,
    currency: row.currency.trim(),
    totals: {
      subtotal: row.originalCents,
      discount: row.discountCents,
      shipping: row.shippingCents ?? 0,
      tax: row.taxCents,
      total: row.totalCents,
    },
    taxEstimated: row.taxEstimated,
    shipping:
      row.shippingCents === null || !row.shippingAddress
        ? null
        : {
            address: { ...row.shippingAddress },
            carrier: row.shippingCarrier!,
            service: row.shippingService!,
            amount: row.shippingCents,
            estimatedDays: row.shippingEstimatedDays!,
            shippedAt: row.shippedAt?.toISOString() ?? null,
            shipmentCarrier: row.shipmentCarrier,
            trackingNumber: row.trackingNumber,
          },
    appliedDiscounts: row.appliedDiscounts,
    guestName: row.guestName,
    guestEmail: row.guestEmail,
    guestPhone: row.guestPhone,
    specialRequests: row.specialRequests,
    reservationReference: row.reference,
    statusReason: row.statusReason,
    attention: row.flaggedAt ? { reason: row.attentionReason ?? 'unknown', flaggedAt: row.flaggedAt.toISOString() } : null,
    createdAt: row.createdAt.toISOString(),
    experience: first
      ? {
          id: first.item.offeringId,
          kind: first.item.kind,
          title: first.offering.title,
          description: first.offering.description,
          images: first.offering.images,
        }
      : null,
    timeSlot:
      slotItem && slotItem.slot
        ? {
            id: slotItem.item.timeSlotId!,
            startsAt: slotItem.slot.startsAt.toISOString(),
            endsAt: slotItem.slot.endsAt.toISOString(),
          }
        : null,
    items: items.map(({ item: i, offering }): ReservationItemDto => ({
      id: i.id,
      offeringId: i.offeringId,
      kind: i.kind,
      title: offering.title,
      timeSlotId: i.timeSlotId,
      sku: i.sku,
      startDate: i.startDate,
      endDate: i.endDate,
      quantity: i.quantity,
      unitPrice: i.unitPriceCents,
      totalPrice: i.totalCents,
    })),
    payments: money.payments.map((p) => ({
      paymentId: p.paymentId,
      status: p.status,
      amount: p.amount,
      currency: p.currency,
      captured: p.captured,
      refunded: p.refunded,
      intentId: p.intentId,
      createdAt: p.createdAt.toISOString(),
    })),
    refunds: money.refunds.map((f) => ({
      refundId: f.refundId,
      paymentId: f.paymentId,
      amount: f.amount,
      status: f.status,
      reason: f.reason,
      createdAt: f.createdAt.toISOString(),
    })),
  };
}
