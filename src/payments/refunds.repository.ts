import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { RefundSummary } from './payment-status';

/** A refund as the admin routes show it: the summary reservation views carry, plus the provider's id. */
export interface RefundView extends Omit<RefundSummary, 'createdAt'> {
  providerRefundId: string | null;
  createdAt: string;
}

/** A pending refund a flush sends: the row and the intent it refunds. */
export interface PendingRefund {
  id: string;
  paymentId: string;
  amount: number;
  reason: string | null;
  intentId: string;
  createdAt: Date;
}

/** A requested release of an authorisation (manual capture) a flush sends. */
export interface PendingRelease {
  id: string;
  intentId: string;
}

/** What a refund request is checked against: the payment's captured amount and what is refunded or pending. */
export interface Refundable {
  captured: number;
  refunding: number;
}

/** The payment a provider's refund report is about, locked. */
export interface RefundedPayment {
  id: string;
  reservationId: string;
  status: string;
  amountCents: number;
  capturedCents: number;
  refundedCents: number;
  purpose: string;
}

interface RefundRow {
  id: string;
  payment_id: string;
  amount_cents: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  source: string;
  provider_refund_id: string | null;
  created_at: Date;
}

const toView = (r: RefundRow): RefundView => ({
  refundId: r.id,
  paymentId: r.payment_id,
  amount: r.amount_cents,
  status: r.status,
  reason: r.reason,
  source: r.source,
  providerRefundId: r.provider_refund_id,
  createdAt: r.created_at.toISOString(),
});

const REFUND_COLUMNS = `id, payment_id, amount_cents, status, reason, source, provider_refund_id, created_at`;

const PENDING_COLUMNS = `r.id, r.payment_id AS "paymentId", r.amount_cents AS amount, r.reason,
       p.provider_intent_id AS "intentId", r.created_at AS "createdAt"`;

/**
 * Money going back: the refunds table, and the release columns of payments
 * (`cancel_requested`, `release_claimed_until`) that the same flush claims and sends.
 * A separate repository from `PaymentsRepository` because these statements move refund
 * rows and their claims (the payment row only as the refund's parent: its lock, its
 * `refunded_cents`); a payment's own life (intents, statuses, the stuck list) stays there.
 * Every statement runs through `TransactionHost.rows`, in the caller's transaction if
 * one is open.
 */
@Injectable()
export class RefundsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * What is captured and what is refunded or pending. Read in its own statement after
   * the payment's row lock was granted (see `RefundsService.requestRefund`).
   */
  async refundable(paymentId: string): Promise<Refundable | null> {
    const [row] = await this.txHost.rows<Refundable>(
      // refunded_cents also counts refunds made outside our API (the provider's dashboard)
      // that have no row of their own (charge.refunded carries only the charge's total).
      `SELECT p.captured_cents AS captured,
              GREATEST(COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'failed'), 0),
                       p.refunded_cents + COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'pending'), 0)
              )::int AS refunding
         FROM payments p WHERE p.id = $1`,
      [paymentId],
    );
    return row ?? null;
  }

  /** Writes a pending refund; `claimSeconds`: already claimed by the caller for that long. */
  async insertPending(
    paymentId: string,
    amount: number,
    reason: string | null,
    source: string,
    claimSeconds: number | null,
  ): Promise<RefundView> {
    const [row] = await this.txHost.rows<RefundRow>(
      `INSERT INTO refunds (payment_id, amount_cents, reason, source, status, claimed_until)
       VALUES ($1, $2, $3, $4, 'pending', CASE WHEN $5 THEN now() + make_interval(secs => $6) END)
       RETURNING ${REFUND_COLUMNS}`,
      [paymentId, amount, reason, source, claimSeconds !== null, claimSeconds ?? 0],
    );
    return toView(row);
  }

  async listFor(paymentId: string): Promise<RefundView[]> {
    return (
      await this.txHost.rows<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE payment_id = $1 ORDER BY created_at`, [
        paymentId,
      ])
    ).map(toView);
  }

  async find(refundId: string): Promise<RefundView | null> {
    const [row] = await this.txHost.rows<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE id = $1`, [refundId]);
    return row ? toView(row) : null;
  }

  /** The caller's own pending refunds (written claimed); it holds their lease. */
  async ownPending(ids: string[]): Promise<PendingRefund[]> {
    if (ids.length === 0) return [];
    return this.txHost.rows<PendingRefund>(
      `SELECT ${PENDING_COLUMNS} FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.id = ANY($1::uuid[]) AND r.status = 'pending' AND p.provider_intent_id IS NOT NULL ORDER BY r.created_at`,
      [ids],
    );
  }

  /**
   * Claims up to 100 pending refunds no other flush holds, oldest first, for
   * `leaseSeconds`, in one statement (its own short transaction outside one): rows
   * another flush is claiming at this moment are skipped.
   */
  async claimPending(leaseSeconds: number): Promise<PendingRefund[]> {
    const rows = await this.txHost.rows<PendingRefund>(
      `UPDATE refunds r SET claimed_until = now() + make_interval(secs => $1)
         FROM payments p
        WHERE p.id = r.payment_id AND r.id IN (
          SELECT c.id FROM refunds c JOIN payments cp ON cp.id = c.payment_id
           WHERE c.status = 'pending' AND cp.provider_intent_id IS NOT NULL
             AND (c.claimed_until IS NULL OR c.claimed_until <= now())
           ORDER BY c.created_at LIMIT 100
             FOR UPDATE OF c SKIP LOCKED)
        RETURNING ${PENDING_COLUMNS}`,
      [leaseSeconds],
    );
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  /** Gives claimed refunds back (their lease ends now). */
  async releaseRefundClaims(ids: string[]): Promise<void> {
    await this.txHost.rows(`UPDATE refunds SET claimed_until = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /**
   * Records the provider's answer to a refund we sent: the refund's status and id, and,
   * when it succeeded, the payment's `refunded_cents` (never above what was captured).
   * Returns the payment when this refund moved it, with whether it is now fully refunded.
   */
  async recordSent(
    refundId: string,
    status: 'succeeded' | 'failed',
    providerRefundId: string,
  ): Promise<{ id: string; reservationId: string; full: boolean } | null> {
    const [row] = await this.txHost.rows<{ id: string; reservationId: string; full: boolean }>(
      `WITH r AS (
         UPDATE refunds SET status = $2, provider_refund_id = $3, updated_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING payment_id, amount_cents)
       UPDATE payments p SET refunded_cents = LEAST(p.captured_cents, p.refunded_cents + r.amount_cents), updated_at = now()
         FROM r WHERE p.id = r.payment_id AND $2 = 'succeeded'
       RETURNING p.id, p.reservation_id AS "reservationId",
                 -- a fine charge refunded whole leaves its booking as it was
                 p.refunded_cents >= p.captured_cents AND p.purpose <> 'fine' AS full`,
      [refundId, status, providerRefundId],
    );
    return row ?? null;
  }

  /** Fails a refund still pending; false when it was not (another flush recorded it). */
  async failPending(refundId: string): Promise<boolean> {
    const failed = await this.txHost.rows(
      `UPDATE refunds SET status = 'failed', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [refundId],
    );
    return failed.length > 0;
  }

  /** The payment an intent's refund report is about, locked FOR UPDATE. */
  async lockRefundedPayment(intentId: string): Promise<RefundedPayment | null> {
    const [row] = await this.txHost.rows<RefundedPayment>(
      `SELECT id, reservation_id AS "reservationId", status, amount_cents AS "amountCents",
              captured_cents AS "capturedCents", refunded_cents AS "refundedCents", purpose
         FROM payments WHERE provider_intent_id = $1 FOR UPDATE`,
      [intentId],
    );
    return row ?? null;
  }

  /**
   * Completes our own refund the provider reports (by our id in its metadata); false
   * when it is not ours to complete (another payment's, or already another provider id).
   */
  async completeOwn(refundId: string, providerRefundId: string, paymentId: string): Promise<boolean> {
    const ours = await this.txHost.rows(
      `UPDATE refunds SET provider_refund_id = $2, status = 'succeeded', updated_at = now()
        WHERE id = $1 AND payment_id = $3 AND (provider_refund_id IS NULL OR provider_refund_id = $2) RETURNING id`,
      [refundId, providerRefundId, paymentId],
    );
    return ours.length > 0;
  }

  /** Records a succeeded refund the provider reports that has no row of ours (its dashboard's), once. */
  async upsertProviderRefund(paymentId: string, providerRefundId: string, amount: number): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO refunds (payment_id, provider_refund_id, amount_cents, reason, source, status)
       VALUES ($1, $2, $3, 'recorded from the provider', 'provider', 'succeeded')
       ON CONFLICT (provider_refund_id) DO UPDATE SET status = 'succeeded', updated_at = now()`,
      [paymentId, providerRefundId, amount],
    );
  }

  /** The sum of a payment's succeeded refunds. */
  async succeededSum(paymentId: string): Promise<number> {
    const [{ succeeded }] = await this.txHost.rows<{ succeeded: number }>(
      `SELECT COALESCE(sum(amount_cents), 0)::int AS succeeded FROM refunds WHERE payment_id = $1 AND status = 'succeeded'`,
      [paymentId],
    );
    return succeeded;
  }

  /**
   * The sum of a payment's succeeded refunds other than those a report names (by the
   * provider's id, or by our id in its metadata).
   */
  async succeededSumExcept(paymentId: string, providerRefundIds: string[], refundIds: string[]): Promise<number> {
    const [{ others }] = await this.txHost.rows<{ others: string }>(
      `SELECT COALESCE(sum(amount_cents), 0)::bigint AS others FROM refunds
        WHERE payment_id = $1 AND status = 'succeeded'
          AND NOT (COALESCE(provider_refund_id = ANY($2::text[]), false) OR id::text = ANY($3::text[]))`,
      [paymentId, providerRefundIds, refundIds],
    );
    return Number(others);
  }

  async setRefunded(paymentId: string, refunded: number): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET refunded_cents = $2, updated_at = now() WHERE id = $1`, [paymentId, refunded]);
  }

  /**
   * Asks for an authorisation to be released; `claimSeconds`: already claimed by the
   * caller for that long.
   */
  async requestRelease(paymentId: string, claimSeconds: number | null): Promise<void> {
    await this.txHost.rows(
      `UPDATE payments SET cancel_requested = true, updated_at = now(),
              release_claimed_until = CASE WHEN $2 THEN now() + make_interval(secs => $3) ELSE release_claimed_until END
        WHERE id = $1`,
      [paymentId, claimSeconds !== null, claimSeconds ?? 0],
    );
  }

  /** The caller's own requested releases (written claimed). */
  async ownReleases(ids: string[]): Promise<PendingRelease[]> {
    if (ids.length === 0) return [];
    return this.txHost.rows<PendingRelease>(
      `SELECT id, provider_intent_id AS "intentId" FROM payments
        WHERE id = ANY($1::uuid[]) AND cancel_requested AND status = 'requires_capture'`,
      [ids],
    );
  }

  /** Claims up to 100 requested releases, like `claimPending`. */
  async claimReleases(leaseSeconds: number): Promise<PendingRelease[]> {
    return this.txHost.rows<PendingRelease>(
      `UPDATE payments SET release_claimed_until = now() + make_interval(secs => $1)
        WHERE id IN (
          SELECT id FROM payments
           WHERE cancel_requested AND status = 'requires_capture'
             AND (release_claimed_until IS NULL OR release_claimed_until <= now())
           LIMIT 100
             FOR UPDATE SKIP LOCKED)
        RETURNING id, provider_intent_id AS "intentId"`,
      [leaseSeconds],
    );
  }

  /** Records a sent release: canceled, or still authorised when the provider did not cancel it. */
  async recordRelease(paymentId: string, canceled: boolean): Promise<void> {
    await this.txHost.rows(
      `UPDATE payments SET status = $2, cancel_requested = false, updated_at = now() WHERE id = $1 AND status = 'requires_capture'`,
      [paymentId, canceled ? 'canceled' : 'requires_capture'],
    );
  }

  /** Gives claimed releases back (their lease ends now). */
  async releaseReleaseClaims(ids: string[]): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET release_claimed_until = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  }
}
