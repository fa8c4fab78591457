import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { METRIC, PaymentMetrics } from './metrics.service';
import { PAYMENT_GATEWAY, PaymentGatewayError, type IntentSnapshot, type PaymentGateway } from './payment-gateway';
import { PaymentOutcomes } from './payment-outcome.port';
import type { PaymentStatus } from './payment.entity';
import { paymentStatusOf, type PaymentSummary, type RefundSummary, type ReservationPayments } from './payment-status';
import { PaymentMethodsService } from './payment-methods.service';
import { RefundsService } from './refunds.service';
import { markPaymentStuck } from './stuck-payments';

/**
 * `failure_code` of an attempt set aside because the provider answered our own call for it
 * with an intent that cannot be its own (another row's, or not the one it already has).
 */
export const INTENT_MISMATCH = 'provider_intent_mismatch';

/** Statuses after which an attempt can no longer take money. */
const FINAL: PaymentStatus[] = ['succeeded', 'canceled', 'failed'];
/** Intent states an attempt can still leave for another: an out-of-date event about them must not win. */
const UNSETTLED: PaymentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'];
/** Attempts that may still be paid (with the client secret, or by confirming). */
export const OPEN_PAYMENT_STATUSES: PaymentStatus[] = [
  'creating',
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
];

interface PaymentRow {
  id: string;
  reservation_id: string;
  user_id: string;
  provider_intent_id: string | null;
  status: PaymentStatus;
  amount_cents: number;
  currency: string;
  captured_cents: number;
  refunded_cents: number;
  capture_method: 'automatic' | 'manual';
  client_secret: string | null;
  charge_id: string | null;
  failure_code: string | null;
  next_action_type: string | null;
  payment_method_id: string | null;
  provider_event_at: Date | null;
  created_at: Date;
  stuck_reason: string | null;
}

export interface PaymentView {
  paymentId: string;
  reservationId: string;
  intentId: string | null;
  status: PaymentStatus;
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  captureMethod: 'automatic' | 'manual';
  clientSecret: string | null;
  chargeId: string | null;
  failureCode: string | null;
  requiresAction: boolean;
  /** The provider's `next_action.type` while `requiresAction` (e.g. `use_stripe_sdk`, `redirect_to_url`). */
  nextActionType: string | null;
  createdAt: Date;
}

export interface NewAttempt {
  reservationId: string;
  userId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
}

const toView = (r: PaymentRow): PaymentView => ({
  paymentId: r.id,
  reservationId: r.reservation_id,
  intentId: r.provider_intent_id,
  status: r.status,
  amount: r.amount_cents,
  currency: r.currency.trim(),
  captured: r.captured_cents,
  refunded: r.refunded_cents,
  captureMethod: r.capture_method,
  clientSecret: r.client_secret,
  chargeId: r.charge_id,
  failureCode: r.failure_code,
  requiresAction: r.status === 'requires_action',
  nextActionType: r.status === 'requires_action' ? r.next_action_type : null,
  createdAt: r.created_at,
});

/**
 * Payment attempts and what the provider says about them. The single code path that
 * moves a payment forward is `applyIntent`: webhooks, the confirm call, payment-status
 * polling, the expiry sweep and reconciliation all go through it, so whichever comes
 * first wins and the others change nothing. State only moves forward.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly outcomes: PaymentOutcomes,
    private readonly refunds: RefundsService,
    private readonly metrics: PaymentMetrics,
    private readonly methods: PaymentMethodsService,
  ) {}

  get providerName(): string {
    return this.gateway.name;
  }

  /**
   * The attempt a convert should use (caller's transaction, reservation locked): the
   * reservation's open attempt if it has one that has not failed, else a new row. The
   * new row is our "local row first": it commits before the provider is called.
   */
  async openAttempt(input: NewAttempt): Promise<PaymentView> {
    const rows = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE reservation_id = $1 ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
      [input.reservationId],
    )) as PaymentRow[];
    const last = rows[0];
    // Reused only when it would take the same money the same way: an open manual-capture
    // attempt from before rentals were captured at confirmation is replaced (and cancelled
    // by submitAttempt), never left to authorise money nothing will capture.
    if (
      last &&
      OPEN_PAYMENT_STATUSES.includes(last.status) &&
      !last.failure_code &&
      last.amount_cents === input.amount &&
      last.capture_method === input.captureMethod
    )
      return toView(last);
    const [created] = (await this.txHost.manager.query(
      `INSERT INTO payments (reservation_id, user_id, provider, status, amount_cents, currency, capture_method)
       VALUES ($1, $2, $3, 'creating', $4, $5, $6) RETURNING *`,
      [input.reservationId, input.userId, this.gateway.name, input.amount, input.currency, input.captureMethod],
    )) as PaymentRow[];
    return toView(created);
  }

  /**
   * Makes sure the attempt has an intent at the provider (creating it with key
   * `pi:{paymentId}`, so a retry after a timeout finds the same one), confirming it with
   * a saved card when one is given. Cancels the reservation's older open intents first,
   * so two attempts can never both take money. Runs outside any transaction.
   */
  async submitAttempt(
    paymentId: string,
    options: { customerId?: string; paymentMethodId?: string; saveCard?: boolean; description?: string },
  ): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    await this.cancelOlderOpenIntents(payment);
    let intent: IntentSnapshot;
    const started = Date.now();
    try {
      if (!payment.intentId) {
        intent = await this.gateway.createIntent({
          paymentId,
          amount: payment.amount,
          currency: payment.currency,
          captureMethod: payment.captureMethod,
          customerId: options.customerId,
          paymentMethodId: options.paymentMethodId,
          setupFutureUsage: options.saveCard,
          metadata: { paymentId, reservationId: payment.reservationId, ...(options.saveCard ? { saveCard: 'true' } : {}) },
          description: options.description,
        });
      } else if (options.paymentMethodId) {
        intent = await this.gateway.confirmIntent(
          payment.intentId,
          options.paymentMethodId,
          `confirm:${paymentId}:${options.paymentMethodId}`,
        );
      } else {
        intent = await this.gateway.retrieveIntent(payment.intentId);
      }
    } catch (error) {
      if (error instanceof PaymentGatewayError && error.intent) {
        await this.applyOwn(paymentId, error.intent);
      } else if (error instanceof PaymentGatewayError && error.kind === 'card_declined') {
        await this.txHost.run(() => this.markFailed(paymentId, error.providerCode ?? 'card_declined'));
      }
      this.metrics.increment(METRIC.paymentOutcome, {
        result: error instanceof PaymentGatewayError && error.kind === 'card_declined' ? 'declined' : 'error',
      });
      throw error;
    } finally {
      this.metrics.observe(METRIC.paymentCreationSeconds, (Date.now() - started) / 1000, { provider: this.gateway.name });
    }
    await this.applyOwn(paymentId, intent);
    await this.refunds.flushPending();
    await this.saveCardIfAsked(intent);
    return this.get(paymentId);
  }

  /**
   * Applies the provider's answer to one of our own calls to the row the call was made
   * for (we sent its id as the idempotency key), never to a row found again through the
   * metadata the answer echoes: a Stripe-compatible mock answers fixture metadata, and
   * metadata naming another payment must not move that one. An answer that cannot be
   * this row's (its intent is another row's, or not the one this row already has) sets
   * the row aside as `stuck` (failure code `provider_intent_mismatch`, listed for admins;
   * a new convert makes a new attempt) and fails `processing`. Runs its own transaction.
   */
  async applyOwn(paymentId: string, intent: IntentSnapshot): Promise<void> {
    try {
      await this.txHost.run(() => this.applyIntent(intent, undefined, paymentId));
    } catch (error) {
      if (error instanceof PaymentGatewayError && error.providerCode === INTENT_MISMATCH) {
        this.logger.error({ paymentId, intentId: intent.id }, error.message);
        await this.txHost.run(async () => {
          await this.txHost.manager.query(
            `UPDATE payments SET failure_code = $2, failure_message = $3, updated_at = now() WHERE id = $1`,
            [paymentId, INTENT_MISMATCH, error.message],
          );
          await markPaymentStuck(this.txHost.manager, paymentId, error.message);
        });
      }
      throw error;
    }
  }

  /**
   * THE code path: records what the provider says about an intent and tells
   * reservations (through the outcome port) when money moved. Runs in the caller's
   * transaction. Returns false when no payment of ours matches (the caller may keep the
   * event for later). `ownPaymentId`: the intent is the answer to our own call for that
   * row (see `applyOwn`), so it binds to it; without it (webhooks) the row is found by
   * intent id, or by the metadata our create call sent.
   */
  async applyIntent(intent: IntentSnapshot, eventCreatedAt?: Date, ownPaymentId?: string): Promise<boolean> {
    const byMetadata = intent.metadata?.paymentId;
    const rows = ownPaymentId
      ? await this.lockOwn(ownPaymentId, intent)
      : ((await this.txHost.manager.query(
          `SELECT * FROM payments WHERE provider_intent_id = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid) ORDER BY id LIMIT 1 FOR UPDATE`,
          [intent.id, isUuid(byMetadata) ? byMetadata : null],
        )) as PaymentRow[]);
    const payment = rows[0];
    if (!payment) return false;
    if (this.isOutOfDate(payment, intent, eventCreatedAt)) {
      this.logger.log(
        { paymentId: payment.id, intentStatus: intent.status, eventCreatedAt, newestApplied: payment.provider_event_at },
        'provider event older than one already applied: it changes nothing',
      );
      return true;
    }

    const mismatch = moneyMismatch(payment, intent);
    if (mismatch) {
      // Our row's amount and currency are the truth: an intent that took other money (an
      // event or a read about another amount or currency) confirms nothing and records
      // nothing; the payment waits for a person on the stuck list.
      this.logger.error({ paymentId: payment.id, intentId: intent.id }, mismatch);
      await markPaymentStuck(this.txHost.manager, payment.id, mismatch);
      return true;
    }

    const next = this.nextStatus(payment.status, intent);
    const becameSuccessful = next !== payment.status && (next === 'succeeded' || next === 'requires_capture');
    const declined = next === 'requires_payment_method' && intent.lastError !== null;
    // An older word than ours (e.g. payment_failed delivered after succeeded): its charge
    // and card are not the ones that paid, so they must not replace what we recorded.
    const stale = next !== intent.status;
    await this.txHost.manager.query(
      `UPDATE payments SET provider_intent_id = $2, status = $3, client_secret = COALESCE($4, client_secret),
              captured_cents = GREATEST(captured_cents, $5), charge_id = COALESCE($6, charge_id),
              payment_method_id = COALESCE($7, payment_method_id),
              failure_code = CASE WHEN $8::text IS NOT NULL THEN $8 WHEN $3 IN ('succeeded', 'requires_capture') THEN NULL ELSE failure_code END,
              failure_message = CASE WHEN $8::text IS NOT NULL THEN $9 ELSE failure_message END,
              provider_event_at = GREATEST(provider_event_at, $10::timestamptz),
              next_action_type = $11,
              updated_at = now()
        WHERE id = $1`,
      [
        payment.id,
        intent.id,
        next,
        intent.clientSecret,
        next === 'succeeded' ? intent.amountReceived : 0,
        stale ? null : intent.latestChargeId,
        stale ? null : intent.paymentMethodId,
        declined ? (intent.lastError?.declineCode ?? intent.lastError?.code ?? 'card_declined') : null,
        declined ? intent.lastError?.message : null,
        eventCreatedAt ?? null,
        next === 'requires_action' ? intent.nextActionType : null,
      ],
    );

    if (becameSuccessful) {
      this.txHost.afterCommit(() => this.metrics.increment(METRIC.paymentOutcome, { result: 'succeeded' }));
      const otherPaid = (await this.txHost.manager.query(
        `SELECT 1 FROM payments WHERE reservation_id = $1 AND id <> $2 AND status IN ('succeeded', 'requires_capture') LIMIT 1`,
        [payment.reservation_id, payment.id],
      )) as unknown[];
      if (otherPaid.length > 0) {
        // Another attempt already paid for this reservation: never take the money twice.
        if (next === 'succeeded') {
          await this.refunds.requestRefund(payment.id, { reason: 'duplicate payment for one reservation', source: 'duplicate' });
        } else {
          await this.refunds.queueCancel(payment.id);
        }
        return true;
      }
      const outcome = await this.outcomes.paymentSucceeded(payment.reservation_id, payment.id);
      if (outcome.result === 'refund' && next === 'succeeded') {
        await this.refunds.requestRefund(payment.id, { amount: undefined, reason: outcome.reason, source: 'hold_expired' });
        await this.outcomes.paymentRefunded(payment.reservation_id, payment.id, outcome.reason);
      } else if (outcome.result === 'refund') {
        // Authorised only (manual capture): release the authorisation instead of refunding.
        await this.refunds.queueCancel(payment.id);
        await this.outcomes.paymentRefunded(payment.reservation_id, payment.id, outcome.reason);
      }
    } else if (declined && !FINAL.includes(payment.status)) {
      this.txHost.afterCommit(() => this.metrics.increment(METRIC.paymentOutcome, { result: 'declined' }));
      await this.outcomes.paymentFailed(payment.reservation_id, payment.id);
    } else if (next === 'requires_action' && payment.status !== 'requires_action') {
      await this.outcomes.paymentRequiresAction(payment.reservation_id, payment.id);
    }
    return true;
  }

  /**
   * The row our own provider call was made for, locked (`applyIntent` with `ownPaymentId`).
   *
   * @throws PaymentGatewayError `processing` / `provider_intent_mismatch` when the row already
   *   has another intent, or the intent is already another row's.
   */
  private async lockOwn(paymentId: string, intent: IntentSnapshot): Promise<PaymentRow[]> {
    const rows = (await this.txHost.manager.query(`SELECT * FROM payments WHERE id = $1 FOR UPDATE`, [
      paymentId,
    ])) as PaymentRow[];
    const own = rows[0];
    if (!own) return [];
    const mismatch = (why: string) =>
      new PaymentGatewayError(
        'processing',
        `The provider answered payment ${paymentId} with intent ${intent.id}, ${why}`,
        INTENT_MISMATCH,
      );
    if (own.provider_intent_id !== null && own.provider_intent_id !== intent.id) {
      throw mismatch(`but it is bound to ${own.provider_intent_id}`);
    }
    const taken = (await this.txHost.manager.query(`SELECT id FROM payments WHERE provider_intent_id = $1 AND id <> $2`, [
      intent.id,
      paymentId,
    ])) as { id: string }[];
    if (taken.length > 0) throw mismatch(`which is payment ${taken[0].id}'s`);
    return rows;
  }

  /** Asks the provider where an attempt stands and applies it (payment-status polling, confirm, reconciliation). */
  async sync(paymentId: string): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (!payment.intentId || FINAL.includes(payment.status)) return payment;
    const intent = await this.gateway.retrieveIntent(payment.intentId);
    await this.applyOwn(paymentId, intent);
    await this.refunds.flushPending();
    await this.saveCardIfAsked(intent);
    return this.get(paymentId);
  }

  /**
   * `savePaymentMethod: true` on convert: once the payment went through, the card the
   * user entered (attached to their customer by the provider) joins their saved cards.
   * Best effort: the payment itself is not affected if this fails.
   */
  private async saveCardIfAsked(intent: IntentSnapshot): Promise<void> {
    if (intent.metadata?.saveCard !== 'true' || !intent.paymentMethodId) return;
    if (intent.status !== 'succeeded' && intent.status !== 'requires_capture') return;
    const payment = await this.findByIntentId(intent.id);
    if (!payment) return;
    try {
      await this.methods.saveFromPayment(payment.userId, intent.paymentMethodId);
    } catch (error) {
      this.logger.warn({ err: error, paymentId: payment.paymentId }, 'could not save the card used for a payment');
    }
  }

  /**
   * Cancels every open intent of a reservation at the provider (the expiry sweep, before
   * it releases a pending reservation). An intent that turns out to have succeeded is
   * applied instead, which confirms the reservation. Runs outside any transaction.
   */
  async cancelOpenIntents(reservationId: string): Promise<void> {
    const open = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE reservation_id = $1 AND status = ANY($2::text[]) ORDER BY created_at`,
      [reservationId, OPEN_PAYMENT_STATUSES],
    )) as PaymentRow[];
    for (const payment of open) await this.cancelAttempt(toView(payment));
  }

  /**
   * Captures an authorisation (rentals: on return, `amount` may include fines up to the
   * authorised amount, or be less). Runs outside any transaction; key `capture:{paymentId}`.
   */
  async capture(paymentId: string, amount?: number): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (payment.status !== 'requires_capture' || !payment.intentId) {
      throw new AppError('INVALID_HOLD_STATUS', `Only an authorised payment can be captured (this one is ${payment.status})`);
    }
    const intent = await this.gateway.captureIntent(payment.intentId, amount, `capture:${paymentId}`);
    await this.applyOwn(paymentId, intent);
    return this.get(paymentId);
  }

  /** Releases an authorisation without taking money (a cancelled rental). Runs outside any transaction. */
  async releaseAuthorization(paymentId: string): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (payment.status !== 'requires_capture') return payment;
    await this.cancelAttempt(payment);
    return this.get(paymentId);
  }

  /** True when an attempt of the reservation succeeded, is authorised, or is still processing. */
  async hasMoneyMoving(reservationId: string): Promise<boolean> {
    const rows = (await this.txHost.manager.query(
      `SELECT 1 FROM payments WHERE reservation_id = $1 AND status IN ('succeeded', 'requires_capture', 'processing') LIMIT 1`,
      [reservationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * The payments and refunds of each reservation given (reservation views: a page of a
   * list, or one), with the `paymentStatus` they add up to, in ONE query for the whole
   * page. Reservations with no payment get `none` and empty lists.
   */
  async forReservations(reservationIds: string[]): Promise<Map<string, ReservationPayments>> {
    const out = new Map<string, ReservationPayments>(
      reservationIds.map((id) => [id, { paymentStatus: 'none', payments: [], refunds: [] }]),
    );
    if (reservationIds.length === 0) return out;
    const rows = (await this.txHost.manager.query(
      `SELECT p.id, p.reservation_id, p.status, p.amount_cents, p.currency, p.captured_cents, p.refunded_cents,
              p.provider_intent_id, p.failure_code, p.created_at,
              COALESCE((SELECT json_agg(json_build_object('id', f.id, 'amount', f.amount_cents, 'status', f.status,
                                                          'reason', f.reason, 'source', f.source, 'createdAt', f.created_at)
                                        ORDER BY f.created_at, f.id)
                          FROM refunds f WHERE f.payment_id = p.id), '[]'::json) AS refunds
         FROM payments p
        WHERE p.reservation_id = ANY($1::uuid[])
        ORDER BY p.created_at DESC, p.id`,
      [reservationIds],
    )) as (PaymentRow & {
      refunds: {
        id: string;
        amount: number;
        status: RefundSummary['status'];
        reason: string | null;
        source: string;
        createdAt: string;
      }[];
    })[];
    for (const row of rows) {
      const entry = out.get(row.reservation_id);
      if (!entry) continue;
      const summary: PaymentSummary = {
        paymentId: row.id,
        status: row.status,
        amount: row.amount_cents,
        currency: row.currency.trim(),
        captured: row.captured_cents,
        refunded: row.refunded_cents,
        intentId: row.provider_intent_id,
        failureCode: row.failure_code,
        createdAt: row.created_at,
      };
      entry.payments.push(summary);
      entry.refunds.push(
        ...row.refunds.map((f): RefundSummary => ({
          refundId: f.id,
          paymentId: row.id,
          amount: f.amount,
          status: f.status,
          reason: f.reason,
          source: f.source,
          createdAt: new Date(f.createdAt),
        })),
      );
    }
    for (const entry of out.values()) {
      entry.refunds.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.refundId.localeCompare(b.refundId));
      entry.paymentStatus = paymentStatusOf(entry.payments, entry.refunds);
    }
    return out;
  }

  /** Payments that need a person (see `markPaymentStuck`), newest first, each with why. */
  async listStuck(): Promise<(PaymentView & { stuckReason: string | null })[]> {
    const rows = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE stuck ORDER BY updated_at DESC LIMIT 200`,
    )) as PaymentRow[];
    return rows.map((r) => ({ ...toView(r), stuckReason: r.stuck_reason }));
  }

  /** The reservation's latest attempt, or null. */
  async latestFor(reservationId: string): Promise<PaymentView | null> {
    const rows = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE reservation_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [reservationId],
    )) as PaymentRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The attempt behind an intent of a reservation, or null. */
  async findByIntent(reservationId: string, intentId: string): Promise<PaymentView | null> {
    const rows = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE reservation_id = $1 AND provider_intent_id = $2`,
      [reservationId, intentId],
    )) as PaymentRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The attempt behind a provider intent, with the user it belongs to, or null (the dev payment routes check ownership). */
  async findByIntentId(intentId: string): Promise<(PaymentView & { userId: string }) | null> {
    const rows = (await this.txHost.manager.query(`SELECT * FROM payments WHERE provider_intent_id = $1`, [
      intentId,
    ])) as PaymentRow[];
    return rows[0] ? { ...toView(rows[0]), userId: rows[0].user_id } : null;
  }

  async get(paymentId: string): Promise<PaymentView> {
    const rows = (await this.txHost.manager.query(`SELECT * FROM payments WHERE id = $1`, [paymentId])) as PaymentRow[];
    if (!rows[0]) throw new AppError('NOT_FOUND', 'Payment not found');
    return toView(rows[0]);
  }

  private async cancelAttempt(payment: PaymentView): Promise<void> {
    if (!payment.intentId) {
      // Never reached the provider as far as we know: make sure it never does.
      await this.txHost.run(() => this.markFailed(payment.paymentId, 'abandoned'));
      return;
    }
    try {
      const intent = await this.gateway.cancelIntent(payment.intentId, `cancel:${payment.paymentId}`);
      await this.applyOwn(payment.paymentId, intent);
    } catch (error) {
      // It may have succeeded meanwhile (cancel refused): the provider's word decides.
      const intent = await this.gateway.retrieveIntent(payment.intentId);
      await this.applyOwn(payment.paymentId, intent);
      if (intent.status !== 'succeeded' && intent.status !== 'requires_capture' && intent.status !== 'canceled') throw error;
    }
    await this.refunds.flushPending();
  }

  private async cancelOlderOpenIntents(current: PaymentView): Promise<void> {
    const older = (await this.txHost.manager.query(
      `SELECT * FROM payments WHERE reservation_id = $1 AND id <> $2 AND status = ANY($3::text[])`,
      [current.reservationId, current.paymentId, OPEN_PAYMENT_STATUSES],
    )) as PaymentRow[];
    for (const payment of older) await this.cancelAttempt(toView(payment));
    const paid = (await this.txHost.manager.query(
      `SELECT 1 FROM payments WHERE reservation_id = $1 AND id <> $2 AND status IN ('succeeded', 'requires_capture')`,
      [current.reservationId, current.paymentId],
    )) as unknown[];
    if (paid.length > 0) throw new AppError('INVALID_HOLD_STATUS', 'This reservation has already been paid');
  }

  private async markFailed(paymentId: string, code: string): Promise<void> {
    await this.txHost.manager.query(
      `UPDATE payments SET status = CASE WHEN provider_intent_id IS NULL THEN 'failed' ELSE status END, failure_code = $2, updated_at = now()
        WHERE id = $1 AND status NOT IN ('succeeded', 'canceled', 'failed', 'requires_capture')`,
      [paymentId, code],
    );
  }

  /**
   * State only moves forward: succeeded and canceled are final; an authorisation
   * (requires_capture) moves only to succeeded or canceled; otherwise the provider's
   * latest word is taken.
   */
  /**
   * Webhooks arrive in any order. An event created before the newest one applied, saying
   * the attempt is in an unsettled state (declined, needs 3-D Secure, processing), is out
   * of date: applying it would move the payment (and tell the reservation) backwards, e.g.
   * an earlier card's decline arriving after the next card's 3-D Secure step. Settled
   * states (succeeded, canceled, authorised) apply whatever their age; `nextStatus` keeps
   * them from going back. Same-second events cannot be ordered and apply. Reads from the
   * provider (sync) carry no event time: they are current, apply, and move no watermark.
   */
  private isOutOfDate(payment: PaymentRow, intent: IntentSnapshot, eventCreatedAt: Date | undefined): boolean {
    if (!eventCreatedAt || !payment.provider_event_at || !UNSETTLED.includes(intent.status)) return false;
    return eventCreatedAt.getTime() < new Date(payment.provider_event_at).getTime();
  }

  private nextStatus(current: PaymentStatus, intent: IntentSnapshot): PaymentStatus {
    if (current === 'succeeded' || current === 'canceled') return current;
    // `failed` is our own verdict on an attempt whose intent we never saw: whatever the
    // provider later says about that intent is the truth.
    if (current === 'failed') return intent.status;
    if (current === 'requires_capture' && intent.status !== 'succeeded' && intent.status !== 'canceled') return current;
    return intent.status;
  }
}

/**
 * Why an intent that reports money taken (succeeded, or authorised) does not match the
 * payment it names, or null when it does (or when it reports no money, or the payment is
 * already settled and the intent can change nothing). The currency and the intent's
 * amount must be ours; what was received may be less than the amount only for a manual
 * capture (a rental captured for less than authorised), never more.
 */
function moneyMismatch(payment: PaymentRow, intent: IntentSnapshot): string | null {
  if (intent.status !== 'succeeded' && intent.status !== 'requires_capture') return null;
  if (payment.status === 'succeeded' || payment.status === 'canceled') return null;
  const currency = payment.currency.trim().toUpperCase();
  const ours = `${payment.amount_cents} ${currency}`;
  const received = intent.status === 'succeeded' ? intent.amountReceived : intent.amountCapturable;
  const theirs = `${received} ${intent.currency || '(no currency)'}`;
  const wrong =
    intent.currency !== currency ||
    intent.amount !== payment.amount_cents ||
    received > payment.amount_cents ||
    (intent.status === 'succeeded' && payment.capture_method === 'automatic' && received !== payment.amount_cents);
  if (!wrong) return null;
  const verb = intent.status === 'succeeded' ? 'received' : 'authorised';
  return `the provider reports ${theirs} ${verb} (intent ${intent.id}, amount ${intent.amount}), the payment is for ${ours}: nothing was confirmed`;
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
