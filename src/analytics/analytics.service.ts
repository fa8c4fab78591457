import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { CatalogService } from '../catalog/catalog.service';
import { EventsService } from '../events/events.service';
import { InventoryService } from '../inventory/inventory.service';
import { PaymentsService } from '../payments/payments.service';
import { type BookingChunkRow, type BookingCursor, BookingRecordsService } from '../reservations/booking-records.service';
import { type BookingRecord, type ChunkFacts, recordsOf } from './booking-record';

/** A half-open range of creation times, [from, to). */
export interface AnalyticsRange {
  from: Date;
  to: Date;
}

/**
 * Bookings a streamed export reads per chunk: a constant number of queries (seven) per
 * chunk. Memory does not grow with the range; how far RSS swings before V8 collects a
 * chunk's garbage depends on V8's heap growth, not on this size (250 and 50 swing alike:
 * docs/benchmarks.md, "Analytics export").
 */
export const STREAM_CHUNK = 250;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The opaque cursor of a page: `base64url("<created_at in µs>.<id>")`. */
export function encodeCursor(cursor: BookingCursor): string {
  return Buffer.from(`${cursor.createdMicros}.${cursor.id}`, 'utf8').toString('base64url');
}

/** @throws AppError VALIDATION_FAILED for anything `encodeCursor` did not make. */
export function decodeCursor(value: string): BookingCursor {
  const invalid = () =>
    new AppError('VALIDATION_FAILED', 'cursor must be a nextCursor of an earlier page', [
      { field: 'cursor', message: 'not a cursor this API made' },
    ]);
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(value)) throw invalid();
  const match = /^(\d{1,17})\.([0-9a-f-]{36})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match || !UUID.test(match[2])) throw invalid();
  return { createdMicros: match[1], id: match[2] };
}

/**
 * The analytics export (DESIGN.md section 13, docs/analytics.md): booking records read
 * in keyset chunks through reservations' query, each chunk completed by one batched
 * query per other module (inventory's slots and units, catalog's offerings, events'
 * status times, payments' money), never one query per booking.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly bookings: BookingRecordsService,
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly events: EventsService,
    private readonly payments: PaymentsService,
  ) {}

  /** One page: the records of up to `limit` bookings after `cursor`, and the cursor of the next page (null at the end). */
  async page(
    range: AnalyticsRange,
    cursor: BookingCursor | null,
    limit: number,
  ): Promise<{ data: BookingRecord[]; nextCursor: string | null }> {
    const chunk = await this.bookings.chunkAfter(range.from, range.to, cursor, limit);
    return { data: await this.complete(chunk.rows), nextCursor: chunk.next ? encodeCursor(chunk.next) : null };
  }

  /**
   * Every record of the range, one chunk of STREAM_CHUNK bookings at a time: the next
   * chunk is read only when the consumer asks for it, so memory holds one chunk whatever
   * the range, and no database cursor or transaction stays open between chunks.
   */
  async *stream(range: AnalyticsRange, chunkSize = STREAM_CHUNK): AsyncGenerator<BookingRecord[]> {
    let cursor: BookingCursor | null = null;
    do {
      const chunk = await this.bookings.chunkAfter(range.from, range.to, cursor, chunkSize);
      if (chunk.rows.length > 0) yield await this.complete(chunk.rows);
      cursor = chunk.next;
    } while (cursor);
  }

  /** The records of a chunk of bookings, with the other modules' facts read in one query each. */
  private async complete(rows: BookingChunkRow[]): Promise<BookingRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const lines = rows.flatMap((row) => row.items);
    const slotIds = lines.flatMap((line) => (line.timeSlotId ? [line.timeSlotId] : []));
    const rentalBookings = rows.filter((row) => row.items.some((line) => line.kind === 'rental')).map((row) => row.id);
    const [slots, units, offerings, statusTimes, payments] = await this.txHost.all([
      () => this.inventory.getSlots(slotIds),
      () => this.inventory.unitsOfReservations(rentalBookings),
      () => this.catalog.getOfferings([...new Set(lines.map((line) => line.offeringId))]),
      () => this.events.statusTimesOf(ids),
      () => this.payments.forReservations(ids),
    ]);
    const facts: ChunkFacts = {
      slots,
      unitsByItem: new Map(units.map((unit) => [unit.reservationItemId, unit.unit.id])),
      vehicles: new Set([...offerings.values()].filter((offering) => offering.vehicle).map((offering) => offering.id)),
      statusTimes,
      money: new Map(
        [...payments].map(([id, entry]) => [
          id,
          {
            paymentStatus: entry.paymentStatus,
            paid: entry.payments.reduce((sum, payment) => sum + payment.captured, 0),
            refunded: entry.refunds
              .filter((refund) => refund.status === 'succeeded')
              .reduce((sum, refund) => sum + refund.amount, 0),
          },
        ]),
      ),
    };
    return rows.flatMap((row) => recordsOf(row, facts));
  }
}
