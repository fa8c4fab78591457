import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { AuthUser } from '../auth/auth-user';
import type { ReservationPayments } from '../payments/payment-status';
import { PaymentsService } from '../payments/payments.service';
import type {
  AdminListReservationsQueryDto,
  ListReservationsQueryDto,
  ReservationDto,
  ReservationItemDto,
  ReservationListDto,
} from './dto/reservation.dto';
import type { AppliedDiscounts } from '../catalog/pricing';
import type { ReservationStatus } from './reservation.entity';
import { isUuid, reservationNotFound } from './reservations.errors';

/** The status a reader sees: a hold past its time is expired, whether or not the sweep has run. */
const EFFECTIVE_STATUS = `CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'expired' ELSE r.status END`;

interface ReservationRow {
  id: string;
  user_id: string;
  status: ReservationStatus;
  hold_expires_at: Date;
  original_cents: number;
  discount_cents: number;
  total_cents: number;
  currency: string;
  applied_discounts: AppliedDiscounts;
  guest_name: string;
  guest_email: string;
  guest_phone: string | null;
  special_requests: string | null;
  reference: string | null;
  status_reason: string | null;
  created_at: Date;
}

interface ItemRow {
  id: string;
  reservation_id: string;
  offering_id: string;
  kind: string;
  title: string;
  description: string;
  images: string[];
  time_slot_id: string | null;
  slot_starts_at: Date | null;
  slot_ends_at: Date | null;
  sku: string | null;
  start_date: string | null;
  end_date: string | null;
  quantity: number;
  unit_price_cents: number;
  total_cents: number;
}

const COLUMNS = `r.id, r.user_id, ${EFFECTIVE_STATUS} AS status, r.hold_expires_at, r.original_cents, r.discount_cents, r.total_cents,
  r.currency, r.applied_discounts, r.guest_name, r.guest_email, r.guest_phone, r.special_requests, r.reference,
  CASE WHEN r.status = 'held' AND r.hold_expires_at <= now() THEN 'HOLD_EXPIRED' ELSE r.status_reason END AS status_reason,
  r.created_at`;

/**
 * The read side of reservations: a page of them, or one, each with its items, offering,
 * time slot, payments and refunds, in a fixed number of queries (no N+1: one for the
 * page, one for its items, one for its payments). Users see their own; admins all.
 */
@Injectable()
export class ReservationQueries {
  constructor(
    private readonly txHost: TransactionHost,
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

  private async page(
    query: ListReservationsQueryDto,
    filters: { userId?: string; from?: string; to?: string },
  ): Promise<ReservationListDto> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filters.userId !== undefined) {
      params.push(filters.userId);
      where.push(`r.user_id = $${params.length}`);
    }
    if (query.status) {
      params.push(query.status);
      where.push(`${EFFECTIVE_STATUS} = $${params.length}`);
    }
    if (filters.from) {
      params.push(filters.from);
      where.push(`r.created_at >= $${params.length}::timestamptz`);
    }
    if (filters.to) {
      params.push(filters.to);
      where.push(`r.created_at < $${params.length}::timestamptz`);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const manager = this.txHost.manager;
    const [rows, [{ total }]] = await Promise.all([
      manager.query(
        `SELECT ${COLUMNS} FROM reservations r ${filter} ORDER BY r.created_at DESC, r.id LIMIT ${query.limit} OFFSET ${query.offset}`,
        params,
      ) as Promise<ReservationRow[]>,
      manager.query(`SELECT count(*)::int AS total FROM reservations r ${filter}`, params) as Promise<[{ total: number }]>,
    ]);
    const reservations = await this.withItems(rows);
    return {
      reservations,
      pagination: { total, limit: query.limit, offset: query.offset, hasMore: query.offset + rows.length < total },
    };
  }

  /** One reservation the user may see, or RESERVATION_NOT_FOUND (also for another user's). */
  async get(user: AuthUser, id: string): Promise<ReservationDto> {
    if (!isUuid(id)) throw reservationNotFound();
    const params: unknown[] = [id];
    let owner = '';
    if (!user.roles.includes('admin')) {
      params.push(user.sub);
      owner = 'AND r.user_id = $2';
    }
    const rows = (await this.txHost.manager.query(
      `SELECT ${COLUMNS} FROM reservations r WHERE r.id = $1 ${owner}`,
      params,
    )) as ReservationRow[];
    if (rows.length === 0) throw reservationNotFound();
    const [reservation] = await this.withItems(rows);
    return reservation;
  }

  private async withItems(rows: ReservationRow[]): Promise<ReservationDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [items, money] = await Promise.all([this.itemsOf(ids), this.payments.forReservations(ids)]);
    const byReservation = new Map<string, ItemRow[]>();
    for (const item of items) byReservation.set(item.reservation_id, [...(byReservation.get(item.reservation_id) ?? []), item]);
    return rows.map((row) => toDto(row, byReservation.get(row.id) ?? [], money.get(row.id)!));
  }

  private async itemsOf(ids: string[]): Promise<ItemRow[]> {
    return (await this.txHost.manager.query(
      `SELECT i.id, i.reservation_id, i.offering_id, i.kind, o.title, o.description, o.images, i.time_slot_id,
              s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, i.sku, i.start_date::text, i.end_date::text,
              i.quantity, i.unit_price_cents, i.total_cents
         FROM reservation_items i
         JOIN offerings o ON o.id = i.offering_id
         LEFT JOIN time_slots s ON s.id = i.time_slot_id
        WHERE i.reservation_id = ANY($1::uuid[])
        ORDER BY i.reservation_id, i.id`,
      [ids],
    )) as ItemRow[];
  }
}

function toDto(row: ReservationRow, items: ItemRow[], money: ReservationPayments): ReservationDto {
  const first = items[0];
  const slotItem = items.find((i) => i.time_slot_id);
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    paymentStatus: money.paymentStatus,
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
    timeSlot:
      slotItem && slotItem.slot_starts_at && slotItem.slot_ends_at
        ? {
            id: slotItem.time_slot_id!,
            startsAt: slotItem.slot_starts_at.toISOString(),
            endsAt: slotItem.slot_ends_at.toISOString(),
          }
        : null,
    items: items.map((i): ReservationItemDto => ({
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
