import type { DataSource } from 'typeorm';

/** One vehicle rental's money as the tables hold it (minor units). */
interface RentalRow {
  reservationId: string;
  rentalStatus: string;
  reservationStatus: string;
  price: number;
  cancellationFee: number;
  fines: number;
  /** Taken from the booking's authorisation(s). */
  captured: number;
  /** Taken by separate fine charges. */
  charged: number;
  refunded: number;
  /** Held on the card, not yet captured. */
  authorised: number;
  /** The largest amount any booking authorisation of the rental held. */
  largestAuthorisation: number;
  /** A fine charge that did not go through and could still be paid (declined, not withdrawn): what is owed. */
  fineFailed: boolean;
  /** A payment still moving (creating, processing, requires_confirmation), or a refund still pending. */
  moving: boolean;
}

export interface RentalInvariantOptions {
  /**
   * What `GET /v1/rentals/{id}` shows as `money.owed`; with it, every rental's listed owed
   * amount is checked against the tables (a failed fine charge is listed until paid or waived).
   */
  owed?: (reservationId: string) => Promise<number>;
}

/**
 * DESIGN.md section 9, invariant 6 (vehicle rentals), over rentals, rental_fines, payments
 * and refunds; call it when no settlement is running (after the jobs have drained):
 *
 * - settled (rental completed, nothing owed): captured + fine charges - refunded = price + fines
 *   (fines as they stand: what was waived is no longer in them);
 * - a failed fine charge leaves what is due above what was taken, and that is owed: the
 *   rental stays as it was (returned or completed), nothing above what is due is kept;
 *   once settled, no failed charge is left that the customer could still pay;
 * - a disputed return has the undisputed price captured and nothing else;
 * - cancelled before pickup: nothing kept but the cancellation fee (0 when free), captured
 *   from the authorisation, no fine charges, the authorisation released;
 * - for every payment: captured <= the amount authorised; refunded <= captured and equal to
 *   its succeeded refunds; a completed rental's reservation is completed.
 */
export async function checkRentalInvariants(ds: DataSource, options: RentalInvariantOptions = {}): Promise<string[]> {
  const problems: string[] = [];

  const overCaptured = (await ds.query(
    `SELECT id, purpose, amount_cents, captured_cents FROM payments WHERE captured_cents > amount_cents`,
  )) as { id: string; purpose: string; amount_cents: number; captured_cents: number }[];
  problems.push(
    ...overCaptured.map(
      (p) => `payment ${p.id} (${p.purpose}) captured ${p.captured_cents}, above the ${p.amount_cents} authorised`,
    ),
  );
  const refundsOff = (await ds.query(
    `SELECT p.id, p.refunded_cents, COALESCE(SUM(f.amount_cents) FILTER (WHERE f.status = 'succeeded'), 0)::int AS succeeded
       FROM payments p JOIN rentals r ON r.reservation_id = p.reservation_id
       LEFT JOIN refunds f ON f.payment_id = p.id
      GROUP BY p.id, p.refunded_cents
     HAVING p.refunded_cents <> COALESCE(SUM(f.amount_cents) FILTER (WHERE f.status = 'succeeded'), 0)
         OR p.refunded_cents > MAX(p.captured_cents)`,
  )) as { id: string; refunded_cents: number; succeeded: number }[];
  problems.push(
    ...refundsOff.map(
      (p) => `payment ${p.id} says ${p.refunded_cents} refunded, its succeeded refunds ${p.succeeded} (or above captured)`,
    ),
  );

  const rows = (await ds.query(
    `WITH pay AS (
       SELECT reservation_id,
              SUM(captured_cents) FILTER (WHERE purpose <> 'fine')::int AS captured,
              COALESCE(SUM(captured_cents) FILTER (WHERE purpose = 'fine'), 0)::int AS charged,
              SUM(refunded_cents)::int AS refunded,
              COALESCE(SUM(amount_cents) FILTER (WHERE purpose <> 'fine' AND status = 'requires_capture'), 0)::int AS authorised,
              COALESCE(MAX(amount_cents) FILTER (WHERE purpose <> 'fine'), 0)::int AS largest,
              bool_or(purpose = 'fine' AND status IN ('requires_payment_method', 'requires_action')) AS fine_failed,
              bool_or(status IN ('creating', 'processing', 'requires_confirmation')) AS moving
         FROM payments GROUP BY reservation_id),
     pending AS (
       SELECT DISTINCT p.reservation_id FROM refunds f JOIN payments p ON p.id = f.payment_id WHERE f.status = 'pending'),
     fines AS (SELECT reservation_id, SUM(amount_cents)::int AS fines FROM rental_fines GROUP BY reservation_id)
     SELECT r.reservation_id AS "reservationId", r.rental_status AS "rentalStatus", res.status AS "reservationStatus",
            r.price_cents AS price, COALESCE((r.policy->>'cancellationFee')::int, 0) AS "cancellationFee",
            COALESCE(fines.fines, 0) AS fines, COALESCE(pay.captured, 0) AS captured, COALESCE(pay.charged, 0) AS charged,
            COALESCE(pay.refunded, 0) AS refunded, COALESCE(pay.authorised, 0) AS authorised,
            COALESCE(pay.largest, 0) AS "largestAuthorisation", COALESCE(pay.fine_failed, false) AS "fineFailed",
            (COALESCE(pay.moving, false) OR pending.reservation_id IS NOT NULL) AS moving
       FROM rentals r
       JOIN reservations res ON res.id = r.reservation_id
       LEFT JOIN pay ON pay.reservation_id = r.reservation_id
       LEFT JOIN pending ON pending.reservation_id = r.reservation_id
       LEFT JOIN fines ON fines.reservation_id = r.reservation_id
      ORDER BY r.reservation_id`,
  )) as RentalRow[];

  for (const r of rows) {
    const at = `rental ${r.reservationId} (${r.rentalStatus}, reservation ${r.reservationStatus})`;
    const taken = r.captured + r.charged - r.refunded;
    if (r.moving) {
      problems.push(`${at}: a payment or refund is still moving (check once settlement has drained)`);
      continue;
    }
    let owed = 0;
    if (r.reservationStatus === 'cancelled') {
      const fee = Math.min(r.cancellationFee, r.largestAuthorisation);
      if (r.charged !== 0 || r.fines !== 0)
        problems.push(`${at}: cancelled before pickup, yet fines ${r.fines} / charges ${r.charged}`);
      if (taken !== 0 && taken !== fee) problems.push(`${at}: cancelled, kept ${taken}, neither 0 nor the fee ${fee}`);
      if (r.authorised !== 0) problems.push(`${at}: cancelled, ${r.authorised} still authorised`);
    } else if (r.rentalStatus === 'not_started' || r.rentalStatus === 'in_progress') {
      if (taken !== 0 || r.charged !== 0) problems.push(`${at}: money taken (${taken}) before the return`);
    } else if (r.rentalStatus === 'return_disputed') {
      if (r.charged !== 0) problems.push(`${at}: fine charges (${r.charged}) while the return is disputed`);
      if (taken !== r.price) problems.push(`${at}: disputed, took ${taken}, not the undisputed price ${r.price}`);
      if (r.authorised !== 0) problems.push(`${at}: disputed, ${r.authorised} still authorised (it would lapse)`);
    } else {
      // returned or completed: settled, or owing what a failed fine charge did not take.
      const due = r.price + r.fines;
      owed = Math.max(0, due - taken - r.authorised);
      if (r.authorised !== 0) problems.push(`${at}: ${r.authorised} still authorised after settlement`);
      if (taken > due) problems.push(`${at}: took ${taken}, above the ${due} due (price ${r.price} + fines ${r.fines})`);
      if (taken < due && !r.fineFailed) problems.push(`${at}: took ${taken} of ${due} due, and no fine charge failed`);
      if (taken === due && r.rentalStatus !== 'completed') problems.push(`${at}: settled (${taken} = ${due}) but not completed`);
      if (taken >= due && r.fineFailed) problems.push(`${at}: settled, yet a failed fine charge could still be paid`);
      if (r.rentalStatus === 'completed' && r.reservationStatus !== 'completed')
        problems.push(`${at}: completed rental, reservation not`);
      if (r.reservationStatus !== 'completed' && r.reservationStatus !== 'confirmed') {
        problems.push(`${at}: a returned rental's reservation is ${r.reservationStatus}`);
      }
    }
    if (options.owed) {
      const listed = await options.owed(r.reservationId);
      if (listed !== owed) problems.push(`${at}: GET /v1/rentals/{id} lists ${listed} owed, the tables say ${owed}`);
    }
  }
  return problems;
}
