import type { EntityManager } from 'typeorm';

/**
 * Marks a payment as needing a person (the admin list of stuck payments) and keeps why.
 * Runs in the caller's transaction. The first reason stays: a later one is appended, so
 * nothing an admin should read is overwritten. Reconciliation skips stuck payments.
 */
export async function markPaymentStuck(manager: EntityManager, paymentId: string, reason: string): Promise<void> {
  await manager.query(
    `UPDATE payments SET stuck = true, updated_at = now(),
            stuck_reason = CASE WHEN stuck_reason IS NULL THEN $2
                                WHEN position($2 in stuck_reason) > 0 THEN stuck_reason
                                ELSE left(stuck_reason || '; ' || $2, 2000) END
      WHERE id = $1`,
    [paymentId, reason.slice(0, 1000)],
  );
}
