import { Injectable } from '@nestjs/common';
import { BookingRecordsRepository } from './booking-records.repository';
import type { BookingChunk, BookingCursor } from './booking-records.types';

export type { BookingChunk, BookingChunkRow, BookingCursor, BookingLineRow } from './booking-records.types';

/** The most bookings one chunk reads. */
export const MAX_BOOKING_CHUNK = 5000;

/**
 * Reservations' side of the analytics export (DESIGN.md section 13, docs/analytics.md):
 * bookings by creation time, one keyset chunk per call, so the caller (the analytics
 * module) never holds a cursor, a transaction or the whole range.
 */
@Injectable()
export class BookingRecordsService {
  constructor(private readonly repo: BookingRecordsRepository) {}

  /**
   * Up to `limit` bookings created in [from, to), after `cursor` (from the start without
   * one), oldest first by (created_at, id), each with its lines; `next` is the cursor
   * after the last one, or null when fewer than `limit` came back (the range is done).
   * One statement; a booking committed later with an earlier created_at than the
   * cursor is not seen by this walk (the nightly export re-reads whole days).
   */
  async chunkAfter(from: Date, to: Date, cursor: BookingCursor | null, limit: number): Promise<BookingChunk> {
    const size = Math.max(1, Math.min(MAX_BOOKING_CHUNK, Math.floor(limit)));
    const rows = await this.repo.chunk(from, to, cursor, size);
    const last = rows.at(-1);
    return { rows, next: rows.length === size && last ? { createdMicros: last.createdMicros, id: last.id } : null };
  }
}
