import { Injectable } from '@nestjs/common';
import { EventsRepository, type StoredEvent } from './events.repository';
import type { EventType, ReservationEvent } from './events.types';

/**
 * The outbox's write side, as SQL fragments the owner of a change composes into the very
 * statement that makes it (STYLE.md rule 5, like `slotTakeCtes`), so an event exists if
 * and only if its change committed, at no extra round trip.
 *
 * `source` is a query whose columns are, in order, `reservation_id, user_id, type,
 * position, payload` (`payload` a jsonb of ids and facts, never guest PII), usually a
 * SELECT from a data-modifying CTE's RETURNING. `position` must come from
 * `nextEventPosition`, written to the reservation's row by the same statement.
 */
export function outboxInsertCte(name: string, source: string): string {
  return `${name} AS (
      INSERT INTO outbox_events (reservation_id, user_id, type, position, payload)
      ${source}
      RETURNING 1)`;
}

/**
 * The position of a reservation's next event, given the SQL of its previous event's
 * position (a column of the reservation's row; null for a new reservation): the writing
 * transaction's id, raised to the previous position. Readers order by (position, id) and
 * read only below the oldest running transaction, so a late commit never lands behind what
 * they have read; raising it keeps one reservation's events in the order they were made
 * even when a later change's transaction started first. Written in an UPDATE's SET, it
 * reads the row version the UPDATE locked, the latest committed one.
 */
export function nextEventPosition(previous: string | null): string {
  return previous === null ? 'pg_current_xact_id()' : `GREATEST(pg_current_xact_id(), ${previous})`;
}

/** A page of the event feed and the cursor to ask for the next one. */
export interface EventPage {
  events: ReservationEvent[];
  /** Pass as `after` to continue; the same cursor when there was nothing new. */
  nextCursor: string | null;
}

const CURSOR = /^(\d{1,20})\.(\d{1,19})$/;

/** Parses a feed cursor (`<position>.<id>`); null when it is not one. */
export function parseCursor(cursor: string): { position: string; id: string } | null {
  const match = CURSOR.exec(cursor);
  return match ? { position: match[1], id: match[2] } : null;
}

export function cursorOf(event: Pick<StoredEvent, 'position' | 'seq'>): string {
  return `${event.position}.${event.seq}`;
}

export function toReservationEvent(row: StoredEvent): ReservationEvent {
  return {
    id: row.eventId,
    type: row.type,
    reservationId: row.reservationId,
    userId: row.userId,
    occurredAt: row.occurredAt.toISOString(),
    payload: row.payload,
  };
}

/** Reads the outbox: the event feed, and the relay's view of it. */
@Injectable()
export class EventsService {
  constructor(private readonly repo: EventsRepository) {}

  /**
   * Events after `cursor` (from the start without one), oldest first, at most `limit`,
   * only those no transaction still running can precede (see `nextEventPosition`): a
   * reader that follows `nextCursor` sees every committed event exactly once, each
   * reservation's in order.
   */
  async feed(cursor: { position: string; id: string } | null, limit: number): Promise<EventPage> {
    const rows = await this.repo.after(cursor, limit);
    const last = rows.at(-1);
    return {
      events: rows.map(toReservationEvent),
      nextCursor: last ? cursorOf(last) : cursor ? `${cursor.position}.${cursor.id}` : null,
    };
  }

  /**
   * For each reservation given, when it last entered each status (and rental state) its
   * events record: `reservationId -> type -> time`. ONE query for the whole batch (the
   * analytics export's status timestamps); reservations with no event are left out.
   */
  async statusTimesOf(reservationIds: string[]): Promise<Map<string, Map<EventType, Date>>> {
    const out = new Map<string, Map<EventType, Date>>();
    if (reservationIds.length === 0) return out;
    for (const row of await this.repo.statusTimes(reservationIds)) {
      let times = out.get(row.reservationId);
      if (!times) out.set(row.reservationId, (times = new Map()));
      times.set(row.type, row.at);
    }
    return out;
  }
}
