import { nextEventPosition, outboxInsertCte } from '../events/events.service';

/**
 * What a status change returns for its event: the columns `reservationEvents` reads, and
 * the new event position it wrote (`nextEventPosition`).
 */
export const EVENT_RETURNING = `id, user_id, status, event_position, status_reason, reference, total_cents, currency, hold_expires_at`;
export const EVENT_POSITION_SET = `event_position = ${nextEventPosition('event_position')}`;

/**
 * The outbox rows of the reservations a data-modifying CTE `changed` returned (with
 * EVENT_RETURNING), one per row, its type the new status; only ids and facts, never the
 * guest's name, email or phone. With `before`, a CTE of (id, status) read before the
 * change, only the rows whose status changed.
 */
export function reservationEvents(name: string, changed: string, before?: string): string {
  return outboxInsertCte(
    name,
    `SELECT c.id, c.user_id, c.status, c.event_position,
            jsonb_build_object('reason', c.status_reason, 'reference', c.reference, 'totalCents', c.total_cents,
                               'currency', rtrim(c.currency), 'holdExpiresAt', c.hold_expires_at)
       FROM ${changed} c${before ? ` JOIN ${before} b ON b.id = c.id WHERE b.status IS DISTINCT FROM c.status` : ''}`,
  );
}
