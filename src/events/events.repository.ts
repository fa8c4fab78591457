import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { EventType } from './events.types';

/** An outbox row as readers get it. */
export interface StoredEvent {
  /** The row's id (bigint, as text): the order among events of one position. */
  seq: string;
  eventId: string;
  /** The xid8 position (as text), see `nextEventPosition`. */
  position: string;
  type: EventType;
  reservationId: string;
  userId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

const COLUMNS = `e.id::text AS seq, e.event_id AS "eventId", e.position::text AS position, e.type,
  e.reservation_id AS "reservationId", e.user_id AS "userId", e.occurred_at AS "occurredAt", e.payload`;

/**
 * Only what no running transaction can precede: every transaction below the snapshot's
 * xmin has ended, and every event still to commit has a position at or above it.
 */
const SETTLED = `e.position < pg_snapshot_xmin(pg_current_snapshot())`;

/** The SQL of `outbox_events`, and only its. */
@Injectable()
export class EventsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** Settled events after a (position, id) cursor, in (position, id) order. */
  after(cursor: { position: string; id: string } | null, limit: number): Promise<StoredEvent[]> {
    return cursor
      ? this.txHost.rows<StoredEvent>(
          `SELECT ${COLUMNS} FROM outbox_events e
            WHERE ${SETTLED} AND (e.position, e.id) > ($1::xid8, $2::bigint)
            ORDER BY e.position, e.id LIMIT $3`,
          [cursor.position, cursor.id, limit],
        )
      : this.txHost.rows<StoredEvent>(
          `SELECT ${COLUMNS} FROM outbox_events e WHERE ${SETTLED} ORDER BY e.position, e.id LIMIT $1`,
          [limit],
        );
  }

  /** The oldest settled events not yet published, in order (the relay's next batch). */
  unpublished(limit: number): Promise<StoredEvent[]> {
    return this.txHost.rows<StoredEvent>(
      `SELECT ${COLUMNS} FROM outbox_events e
        WHERE e.published_at IS NULL AND ${SETTLED}
        ORDER BY e.position, e.id LIMIT $1`,
      [limit],
    );
  }

  /** Marks these events (by row id) published now. */
  async markPublished(seqs: string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.txHost.rows(
      `UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL RETURNING 1`,
      [seqs],
    );
  }

  /**
   * Takes the relay's lock for the caller's transaction, without waiting: false when
   * another relay (another replica) holds it.
   */
  async tryRelayLock(): Promise<boolean> {
    const [row] = await this.txHost.rows<{ ok: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtext('holdfast.events.relay')) AS ok`,
    );
    return row.ok;
  }

  /** How far the relay is behind: unpublished events, and the age in seconds of the oldest (0 when none). */
  async lag(): Promise<{ count: number; oldestSeconds: number }> {
    const [row] = await this.txHost.rows<{ count: number; oldestSeconds: number }>(
      `SELECT count(*)::int AS count,
              COALESCE(EXTRACT(EPOCH FROM now() - min(e.occurred_at)), 0)::float8 AS "oldestSeconds"
         FROM outbox_events e WHERE e.published_at IS NULL`,
    );
    return row;
  }

  /**
   * When each of these reservations last entered each status, from its events, in ONE
   * query (by `IDX_outbox_events_reservation`).
   */
  statusTimes(reservationIds: string[]): Promise<{ reservationId: string; type: EventType; at: Date }[]> {
    return this.txHost.rows<{ reservationId: string; type: EventType; at: Date }>(
      `SELECT e.reservation_id AS "reservationId", e.type, max(e.occurred_at) AS at
         FROM outbox_events e WHERE e.reservation_id = ANY($1::uuid[])
        GROUP BY e.reservation_id, e.type`,
      [reservationIds],
    );
  }
}
