import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { PaymentStatus } from './payment.entity';

/**
 * Reconciliation's lease on payment rows (docs/operations.md, "Jobs on many replicas"):
 * which rows a pass claims, marks as looked at, and gives back. The rows themselves are
 * PaymentsRepository's.
 */
@Injectable()
export class ReconciliationRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Claims up to `limit` payments in `statuses` that have not moved for `olderThanSeconds`
   * (not stuck, not claimed by another pass; never an off-session attempt that has no
   * intent yet: re-creating it would be an on-session intent without its card, and its
   * owner resumes it with its own key): ONE statement that stamps a lease of
   * `leaseSeconds` on rows no other pass holds, skipping rows another replica is claiming
   * right now (FOR UPDATE SKIP LOCKED). Oldest first.
   */
  async claimDue(
    statuses: PaymentStatus[],
    olderThanSeconds: number,
    limit: number,
    leaseSeconds: number,
  ): Promise<{ id: string; intentId: string | null }[]> {
    const rows = await this.txHost.rows<{ id: string; intentId: string | null; updatedAt: Date }>(
      `UPDATE payments SET reconcile_claimed_until = now() + make_interval(secs => $4)
        WHERE id IN (
          SELECT id FROM payments
           WHERE status = ANY($1::text[]) AND NOT stuck AND updated_at <= now() - make_interval(secs => $2)
             AND NOT (off_session AND provider_intent_id IS NULL)
             AND (reconcile_claimed_until IS NULL OR reconcile_claimed_until <= now())
           ORDER BY updated_at LIMIT $3
             FOR UPDATE SKIP LOCKED)
        RETURNING id, provider_intent_id AS "intentId", updated_at AS "updatedAt"`,
      [statuses, olderThanSeconds, limit, leaseSeconds],
    );
    return rows.sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime()).map(({ id, intentId }) => ({ id, intentId }));
  }

  /** Marks a payment as looked at now (it is not due for reconciliation again before its time). */
  async touch(paymentId: string): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET updated_at = now() WHERE id = $1`, [paymentId]);
  }

  /** Ends a reconciliation pass's lease on its rows. */
  async releaseClaims(paymentIds: string[]): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET reconcile_claimed_until = NULL WHERE id = ANY($1::uuid[])`, [paymentIds]);
  }
}
