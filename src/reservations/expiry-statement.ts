import { SqlParams } from '@holdfast/database';
import { releaseCtes } from '../inventory/inventory.service';
import type { Statement } from './hold-statement';
import { EVENT_POSITION_SET, EVENT_RETURNING, reservationEvents } from './reservation-events';

/** What the sweep's statement answers. */
export interface ExpiryBatch {
  /** Holds it expired. */
  expired: number;
  /** IMS reservations it released, to give back at the IMS now that it has committed. */
  imsReservationIds: string[];
}

/**
 * The reservations' part of a batch of the expiry sweep, as CTEs for a bigger statement:
 * `res_due` locks up to `limit` holds past their time, oldest first, skipping any another
 * transaction (another replica's sweep, a payment, a cancel) has locked; `res_expired`
 * moves them to `expired` (HOLD_EXPIRED) and returns them (EVENT_RETURNING);
 * `res_expired_events` writes one `expired` outbox event per hold.
 */
export function expiredHoldsCtes(p: SqlParams, limit: number): string {
  return `res_due AS (
      SELECT id FROM reservations WHERE status = 'held' AND hold_expires_at <= now()
       ORDER BY hold_expires_at LIMIT ${p.add(limit, 'int')}
         FOR UPDATE SKIP LOCKED),
    res_expired AS (
      UPDATE reservations SET status = 'expired', status_reason = 'HOLD_EXPIRED', updated_at = now(), ${EVENT_POSITION_SET}
       WHERE id IN (SELECT id FROM res_due) AND status = 'held'
      RETURNING ${EVENT_RETURNING}),
    ${reservationEvents('res_expired_events', 'res_expired')}`;
}

/**
 * A batch of the hold expiry sweep as ONE statement (one round trip, its own transaction),
 * composed from the fragments each module owns:
 *
 * - reservations (`expiredHoldsCtes`): lock the due holds (FOR UPDATE SKIP LOCKED, so
 *   replicas sweeping at once expire each hold once), set them `expired`, one `expired`
 *   outbox event each;
 * - inventory (`releaseCtes`), only once those are written: release their IMS items and
 *   their allocations (locked in id order), then the slot and stock counters, their rows
 *   locked in the global id order, last, so the rows new holds take stay locked only for
 *   the end of the statement.
 *
 * It answers `expired` and `imsReservationIds` (ExpiryBatch). Pure: the text never depends
 * on `limit`, so it is prepared once per connection; expiry-statement.spec.ts pins it down.
 */
export function holdExpiryStatement(limit: number): Statement {
  const p = new SqlParams();
  const expire = expiredHoldsCtes(p, limit);
  const release = releaseCtes({ reservations: 'res_expired', after: ['(SELECT count(*) FROM res_expired_events) >= 0'] });
  const text = [
    `WITH ${expire},`,
    `    ${release.ctes}`,
    `SELECT (SELECT count(*) FROM res_expired)::int AS expired,`,
    `       ${release.select}`,
  ].join('\n');
  return { text, values: p.values };
}
