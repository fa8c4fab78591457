import type { DataSource } from 'typeorm';

/**
 * DESIGN.md section 9, items 3 and 4: no confirmed reservation without a succeeded or
 * authorised payment, or (a vehicle booked ahead) a card set up for off-session use with
 * its authorisation scheduled (a succeeded SetupIntent: the authorisation to come, or one
 * waiting for the customer); no succeeded payment without a confirmed (or later
 * cancelled) reservation or a refund; refunded <= captured per payment.
 */
export async function checkPaymentInvariants(ds: DataSource): Promise<string[]> {
  const problems: string[] = [];
  const unpaid = (await ds.query(
    `SELECT r.id FROM reservations r
      WHERE r.status IN ('confirmed', 'completed')
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.reservation_id = r.id AND p.status IN ('succeeded', 'requires_capture'))
        AND NOT (r.status = 'confirmed'
                 AND EXISTS (SELECT 1 FROM payment_setups s WHERE s.reservation_id = r.id AND s.status = 'succeeded'))`,
  )) as { id: string }[];
  problems.push(
    ...unpaid.map((r) => `reservation ${r.id} is confirmed without a succeeded or authorised payment or a card set up for one`),
  );
  const orphaned = (await ds.query(
    `SELECT p.id FROM payments p
      WHERE p.status = 'succeeded'
        AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.id = p.reservation_id AND r.status IN ('confirmed', 'completed', 'cancelled', 'refunded'))
        AND NOT EXISTS (SELECT 1 FROM refunds f WHERE f.payment_id = p.id AND f.status <> 'failed')`,
  )) as { id: string }[];
  problems.push(...orphaned.map((p) => `payment ${p.id} succeeded without a confirmed reservation or a refund`));
  const over = (await ds.query(`SELECT id FROM payments WHERE refunded_cents > captured_cents`)) as { id: string }[];
  problems.push(...over.map((p) => `payment ${p.id} refunded more than it captured`));
  return problems;
}
