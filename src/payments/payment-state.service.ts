import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AuthorizationSchedulePort } from './authorization-schedule.port';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import { METRIC, PaymentMetrics } from './metrics.service';
import { PaymentGatewayError, type IntentSnapshot } from './payment-gateway';
import type { PaymentStatus } from './payment.entity';
import { PaymentsRepository, type PaymentRecord } from './payments.repository';
import { RefundsService } from './refunds.service';

/**
 * `failure_code` of an attempt set aside because the provider answered our own call for it
 * with an intent that cannot be its own (another row's, or not the one it already has).
 */
export const INTENT_MISMATCH = 'provider_intent_mismatch';

/** Statuses after which an attempt can no longer take money. */
export const FINAL_PAYMENT_STATUSES: PaymentStatus[] = ['succeeded', 'canceled', 'failed'];
/** Intent states an attempt can still leave for another: an out-of-date event about them must not win. */
const UNSETTLED: PaymentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'];
const PAID: PaymentStatus[] = ['succeeded', 'requires_capture'];

/**
 * The payment state machine: the single code path that moves a payment forward from what
 * the provider says about its intent. Webhooks (through `PaymentsService.applyProviderEvent`),
 * the confirm call, payment-status polling, the expiry sweep and reconciliation all go
 * through `applyIntent`, so whichever comes first wins and the others change nothing.
 * State only moves forward.
 */
@Injectable()
export class PaymentStateService {
  private readonly logger = new Logger(PaymentStateService.name);

  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: PaymentsRepository,
    private readonly outcomes: BookingPaymentOutcomesPort,
    private readonly refunds: RefundsService,
    private readonly metrics: PaymentMetrics,
    private readonly schedule: AuthorizationSchedulePort,
  ) {}

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
          await this.repo.setFailure(paymentId, INTENT_MISMATCH, error.message);
          await this.repo.markStuck(paymentId, error.message);
        });
      }
      throw error;
    }
  }

  /**
   * THE code path: records what the provider says about an intent and tells the booking
   * (through the outcome port) when money moved. Runs in the caller's transaction.
   * Returns false when no payment of ours matches (the caller may keep the event for
   * later). `ownPaymentId`: the intent is the answer to our own call for that row (see
   * `applyOwn`), so it binds to it; without it (webhooks) the row is found by intent id,
   * or by the metadata our create call sent.
   */
  async applyIntent(intent: IntentSnapshot, eventCreatedAt?: Date, ownPaymentId?: string): Promise<boolean> {
    const byMetadata = intent.metadata?.paymentId;
    const payment = ownPaymentId
      ? await this.lockOwn(ownPaymentId, intent)
      : await this.repo.lockByIntent(intent.id, isUuid(byMetadata) ? byMetadata : null);
    if (!payment) return false;
    if (this.isOutOfDate(payment, intent, eventCreatedAt)) {
      this.logger.log(
        { paymentId: payment.paymentId, intentStatus: intent.status, eventCreatedAt, newestApplied: payment.providerEventAt },
        'provider event older than one already applied: it changes nothing',
      );
      return true;
    }

    const mismatch = moneyMismatch(payment, intent);
    if (mismatch) {
      // Our row's amount and currency are the truth: an intent that took other money (an
      // event or a read about another amount or currency) confirms nothing and records
      // nothing; the payment waits for a person on the stuck list.
      this.logger.error({ paymentId: payment.paymentId, intentId: intent.id }, mismatch);
      await this.repo.markStuck(payment.paymentId, mismatch);
      return true;
    }

    const next = this.nextStatus(payment.status, intent);
    // Capturing an authorisation (requires_capture -> succeeded) is our own decision on money
    // the booking already stands on (a rental settled, a cancellation fee kept): no news for
    // the booking. Told again, a booking cancelled meanwhile would refund the fee just taken.
    const captured = payment.status === 'requires_capture' && next === 'succeeded';
    const becameSuccessful = !captured && next !== payment.status && (next === 'succeeded' || next === 'requires_capture');
    const declined = next === 'requires_payment_method' && intent.lastError !== null;
    // An older word than ours (e.g. payment_failed delivered after succeeded): its charge
    // and card are not the ones that paid, so they must not replace what we recorded.
    const stale = next !== intent.status;
    await this.repo.applyIntent(payment.paymentId, {
      intentId: intent.id,
      status: next,
      clientSecret: intent.clientSecret,
      captured: next === 'succeeded' ? intent.amountReceived : 0,
      chargeId: stale ? null : intent.latestChargeId,
      paymentMethodId: stale ? null : intent.paymentMethodId,
      failureCode: declined ? (intent.lastError?.declineCode ?? intent.lastError?.code ?? 'card_declined') : null,
      failureMessage: declined ? intent.lastError?.message : null,
      eventCreatedAt: eventCreatedAt ?? null,
      nextActionType: next === 'requires_action' ? intent.nextActionType : null,
      captureBefore: stale ? null : intent.captureBefore,
      extendedAuthorization: stale ? null : intent.extendedAuthorization,
      incrementalAuthorization: stale ? null : intent.incrementalAuthorization,
    });

    const { reservationId, paymentId } = payment;
    if (payment.purpose !== 'booking') {
      // A renewal or a fine charge moves money on a booking that stands already: it never
      // confirms, fails or refunds the booking (DESIGN.md section 4); its owner (rentals)
      // reads the outcome from the payment.
      if (becameSuccessful) this.txHost.afterCommit(() => this.metrics.increment(METRIC.paymentOutcome, { result: 'succeeded' }));
      if (becameSuccessful && next === 'requires_capture') await this.schedule.authorized(reservationId, paymentId);
      // Paid in the app (or by a retry): the rental settles now, not at the next retry a day on.
      if (becameSuccessful && payment.purpose === 'fine') await this.schedule.finePaid(reservationId, paymentId);
      return true;
    }
    if (becameSuccessful) {
      this.txHost.afterCommit(() => this.metrics.increment(METRIC.paymentOutcome, { result: 'succeeded' }));
      if (await this.repo.anyIn(reservationId, PAID, paymentId)) {
        // Another attempt already paid for this reservation: never take the money twice.
        if (next === 'succeeded') {
          await this.refunds.requestRefund(paymentId, { reason: 'duplicate payment for one reservation', source: 'duplicate' });
        } else {
          await this.refunds.queueCancel(paymentId);
        }
        return true;
      }
      const outcome = await this.outcomes.paymentSucceeded(reservationId, paymentId);
      // A vehicle's authorisation (manual capture) lapses at its capture_before: the schedule renews it from there.
      if (outcome.result === 'confirmed' && next === 'requires_capture') await this.schedule.authorized(reservationId, paymentId);
      if (outcome.result === 'refund' && next === 'succeeded') {
        await this.refunds.requestRefund(paymentId, { amount: undefined, reason: outcome.reason, source: 'hold_expired' });
        await this.outcomes.paymentRefunded(reservationId, paymentId, outcome.reason);
      } else if (outcome.result === 'refund') {
        // Authorised only (manual capture): release the authorisation instead of refunding.
        await this.refunds.queueCancel(paymentId);
        await this.outcomes.paymentRefunded(reservationId, paymentId, outcome.reason);
      }
    } else if (declined && !FINAL_PAYMENT_STATUSES.includes(payment.status)) {
      this.txHost.afterCommit(() => this.metrics.increment(METRIC.paymentOutcome, { result: 'declined' }));
      // Off-session (a vehicle's scheduled authorisation): the booking stands, and the
      // customer is asked to complete the intent (the rentals schedule); never `payment_failed`.
      if (!payment.offSession) await this.outcomes.paymentFailed(reservationId, paymentId);
    } else if (next === 'requires_action' && payment.status !== 'requires_action') {
      await this.outcomes.paymentRequiresAction(reservationId, paymentId);
    }
    return true;
  }

  /** Our own verdict on an attempt (declined at creation, abandoned before the provider saw it). Own transaction. */
  async markFailed(paymentId: string, code: string): Promise<void> {
    await this.txHost.run(() => this.repo.markFailed(paymentId, code));
  }

  /**
   * The row our own provider call was made for, locked (`applyIntent` with `ownPaymentId`).
   *
   * @throws PaymentGatewayError `processing` / `provider_intent_mismatch` when the row already
   *   has another intent, or the intent is already another row's.
   */
  private async lockOwn(paymentId: string, intent: IntentSnapshot): Promise<PaymentRecord | null> {
    const own = await this.repo.lock(paymentId);
    if (!own) return null;
    const mismatch = (why: string) =>
      new PaymentGatewayError(
        'processing',
        `The provider answered payment ${paymentId} with intent ${intent.id}, ${why}`,
        INTENT_MISMATCH,
      );
    if (own.intentId !== null && own.intentId !== intent.id) throw mismatch(`but it is bound to ${own.intentId}`);
    const taken = await this.repo.otherWithIntent(intent.id, paymentId);
    if (taken) throw mismatch(`which is payment ${taken}'s`);
    return own;
  }

  /**
   * Webhooks arrive in any order. An event created before the newest one applied, saying
   * the attempt is in an unsettled state (declined, needs 3-D Secure, processing), is out
   * of date: applying it would move the payment (and tell the reservation) backwards, e.g.
   * an earlier card's decline arriving after the next card's 3-D Secure step. Settled
   * states (succeeded, canceled, authorised) apply whatever their age; `nextStatus` keeps
   * them from going back. Same-second events cannot be ordered and apply. Reads from the
   * provider (sync) carry no event time: they are current, apply, and move no watermark.
   */
  private isOutOfDate(payment: PaymentRecord, intent: IntentSnapshot, eventCreatedAt: Date | undefined): boolean {
    if (!eventCreatedAt || !payment.providerEventAt || !UNSETTLED.includes(intent.status)) return false;
    return eventCreatedAt.getTime() < new Date(payment.providerEventAt).getTime();
  }

  /**
   * State only moves forward: succeeded and canceled are final; an authorisation
   * (requires_capture) moves only to succeeded or canceled; otherwise the provider's
   * latest word is taken.
   */
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
function moneyMismatch(payment: PaymentRecord, intent: IntentSnapshot): string | null {
  if (intent.status !== 'succeeded' && intent.status !== 'requires_capture') return null;
  if (payment.status === 'succeeded' || payment.status === 'canceled') return null;
  const currency = payment.currency.toUpperCase();
  const ours = `${payment.amount} ${currency}`;
  const received = intent.status === 'succeeded' ? intent.amountReceived : intent.amountCapturable;
  const theirs = `${received} ${intent.currency || '(no currency)'}`;
  const wrong =
    intent.currency !== currency ||
    intent.amount !== payment.amount ||
    received > payment.amount ||
    (intent.status === 'succeeded' && payment.captureMethod === 'automatic' && received !== payment.amount);
  if (!wrong) return null;
  const verb = intent.status === 'succeeded' ? 'received' : 'authorised';
  return `the provider reports ${theirs} ${verb} (intent ${intent.id}, amount ${intent.amount}), the payment is for ${ours}: nothing was confirmed`;
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
