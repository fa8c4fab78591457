import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import { METRIC, PaymentMetrics } from './metrics.service';
import { type EventDeliveryHandler, PaymentEventRelay } from './payment-event-relay';
import {
  PAYMENT_GATEWAY,
  PaymentGatewayError,
  WebhookSignatureError,
  type IntentSnapshot,
  type PaymentGateway,
  type ProviderEvent,
} from './payment-gateway';
import type { PaymentPurpose, PaymentStatus } from './payment.entity';
import { paymentStatusOf, type ReservationPayments } from './payment-status';
import { PaymentMethodsService } from './payment-methods.service';
import { PaymentSetupsService } from './payment-setups.service';
import { FINAL_PAYMENT_STATUSES, PaymentStateService } from './payment-state.service';
import { PaymentsRepository, type PaymentRecord, type PaymentView } from './payments.repository';
import { type ProviderEventInput, type ProviderEventOutcome, readProviderEvent } from './provider-events';
import { RefundsService } from './refunds.service';

export type { PaymentView } from './payments.repository';
export { INTENT_MISMATCH } from './payment-state.service';

/** Attempts that may still be paid (with the client secret, or by confirming). */
export const OPEN_PAYMENT_STATUSES: PaymentStatus[] = [
  'creating',
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
];

export interface NewAttempt {
  reservationId: string;
  userId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  /** booking (the default) | renewal | fine. */
  purpose?: PaymentPurpose;
}

/** The view callers get: the record without what only payments reads. */
const toView = ({ userId: _u, providerEventAt: _e, stuckReason: _s, paymentMethodId: _m, ...view }: PaymentRecord): PaymentView =>
  view;

/**
 * Payment attempts (convert, submit, sync, cancel, capture), what the provider's events
 * mean for them (`applyProviderEvent`), and their views. Moving a payment forward is
 * `PaymentStateService.applyIntent`'s alone: every path here goes through it.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly repo: PaymentsRepository,
    private readonly state: PaymentStateService,
    private readonly outcomes: BookingPaymentOutcomesPort,
    private readonly refunds: RefundsService,
    private readonly metrics: PaymentMetrics,
    private readonly methods: PaymentMethodsService,
    private readonly relay: PaymentEventRelay,
    private readonly clock: Clock,
    private readonly setups: PaymentSetupsService,
  ) {}

  get providerName(): string {
    return this.gateway.name;
  }

  /**
   * Checks a delivery's signature over its raw body and returns the event it carries.
   *
   * @throws AppError VALIDATION_FAILED when the signature is missing, wrong or too old.
   */
  verifyProviderEvent(rawBody: Buffer, signature: string | undefined): ProviderEvent {
    try {
      return this.gateway.verifyEvent(rawBody, signature, this.clock.nowMs());
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      this.metrics.increment(METRIC.webhookSignatureFailures);
      this.logger.warn({ reason: error.message }, 'webhook signature verification failed');
      throw new AppError(
        'VALIDATION_FAILED',
        'The Stripe-Signature header is missing, does not match the body, or its timestamp is outside the tolerance',
      );
    }
  }

  /**
   * Where the simulated provider delivers its signed events: the webhooks module hands its
   * handler in at start-up, so they take the same path as Stripe's (without payments
   * depending on webhooks).
   */
  onProviderEventDelivery(handler: EventDeliveryHandler): void {
    this.relay.register(handler);
  }

  /**
   * THE entry that turns a verified provider event into our state, in the caller's
   * transaction: a PaymentIntent goes through `applyIntent` (with the wrong-money checks),
   * refunds are recorded so ours equal the provider's (a full refund also ends the
   * reservation). `unprocessable` (with `reason`): the object is not what its type
   * promises, and nothing was applied; `pending`: it names a payment we do not know yet.
   */
  async applyProviderEvent(event: ProviderEventInput): Promise<{ outcome: ProviderEventOutcome; reason?: string }> {
    const reading = readProviderEvent(event);
    switch (reading.kind) {
      case 'unprocessable':
        return { outcome: 'unprocessable', reason: reading.reason };
      case 'ignored':
        return { outcome: 'ignored' };
      case 'intent':
        return { outcome: (await this.state.applyIntent(reading.intent, reading.createdAt)) ? 'processed' : 'pending' };
      case 'setup':
        // Our setup row always exists before its SetupIntent does: one we do not know is not ours.
        return { outcome: (await this.setups.apply(reading.setupIntent)) ? 'processed' : 'ignored' };
      case 'refunds': {
        const result = await this.refunds.recordProviderRefunds(reading.intentId, reading.amountRefunded, reading.refunds);
        if (!result) return { outcome: 'pending' };
        if (result.fullyRefunded) await this.outcomes.paymentRefunded(result.reservationId, result.paymentId, 'REFUNDED');
        return { outcome: 'processed' };
      }
    }
  }

  /**
   * Which of these intents and payment ids are payments of ours (webhooks keeps events
   * about unknown ones pending until they appear).
   */
  async knownPayments(
    keys: { intentId: string | null; paymentId: string | null }[],
  ): Promise<{ intentIds: string[]; paymentIds: string[] }> {
    const intentIds = [...new Set(keys.map((k) => k.intentId).filter((id): id is string => id !== null))];
    const paymentIds = [...new Set(keys.map((k) => k.paymentId).filter((id): id is string => id !== null))];
    if (intentIds.length === 0 && paymentIds.length === 0) return { intentIds: [], paymentIds: [] };
    const rows = await this.repo.existing(intentIds, paymentIds);
    return {
      intentIds: rows.map((r) => r.intentId).filter((id): id is string => id !== null && intentIds.includes(id)),
      paymentIds: rows.map((r) => r.id).filter((id) => paymentIds.includes(id)),
    };
  }

  /** How late a provider event arrived (`created`: the event's, in Unix seconds), for the metrics. */
  observeEventDelay(type: string, created: number): void {
    if (!Number.isFinite(created) || created <= 0) return;
    this.metrics.observe(METRIC.webhookDelaySeconds, Math.max(0, Date.now() / 1000 - created), { type });
  }

  /**
   * The attempt a convert should use (caller's transaction, reservation locked): the
   * reservation's open attempt if it has one that has not failed, else a new row. The
   * new row is our "local row first": it commits before the provider is called.
   */
  async openAttempt(input: NewAttempt): Promise<PaymentView> {
    const last = await this.repo.latestFor(input.reservationId, true);
    // Reused only when it would take the same money the same way: an open manual-capture
    // attempt from before rentals were captured at confirmation is replaced (and cancelled
    // by submitAttempt), never left to authorise money nothing will capture.
    if (
      last &&
      OPEN_PAYMENT_STATUSES.includes(last.status) &&
      !last.failureCode &&
      last.amount === input.amount &&
      last.captureMethod === input.captureMethod &&
      last.purpose === (input.purpose ?? 'booking')
    )
      return toView(last);
    return toView(await this.repo.insert({ ...input, provider: this.gateway.name }));
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
          // An authorisation captured later (vehicles) asks to last longer and to grow with fines, where the card allows.
          requestExtended: payment.captureMethod === 'manual',
          requestIncremental: payment.captureMethod === 'manual',
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
        await this.state.applyOwn(paymentId, error.intent);
      } else if (error instanceof PaymentGatewayError && error.kind === 'card_declined') {
        await this.state.markFailed(paymentId, error.providerCode ?? 'card_declined');
      }
      this.metrics.increment(METRIC.paymentOutcome, {
        result: error instanceof PaymentGatewayError && error.kind === 'card_declined' ? 'declined' : 'error',
      });
      throw error;
    } finally {
      this.metrics.observe(METRIC.paymentCreationSeconds, (Date.now() - started) / 1000, { provider: this.gateway.name });
    }
    await this.state.applyOwn(paymentId, intent);
    await this.refunds.flushPending();
    await this.saveCardIfAsked(intent);
    return this.get(paymentId);
  }

  /** Asks the provider where an attempt stands and applies it (payment-status polling, confirm, reconciliation). */
  async sync(paymentId: string): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (!payment.intentId || FINAL_PAYMENT_STATUSES.includes(payment.status)) return payment;
    const intent = await this.gateway.retrieveIntent(payment.intentId);
    await this.state.applyOwn(paymentId, intent);
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
   * it releases a pending reservation; a cancellation). An intent that turns out to have
   * succeeded is applied instead, which confirms the reservation, as does a SetupIntent
   * that succeeded (it is read first). Runs outside any transaction.
   */
  async cancelOpenIntents(reservationId: string): Promise<void> {
    await this.setups.syncOpen(reservationId); // a card set up meanwhile confirms the booking instead
    const open = await this.repo.listOpen(reservationId, OPEN_PAYMENT_STATUSES);
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
    await this.state.applyOwn(paymentId, intent);
    return this.get(paymentId);
  }

  /**
   * An open authorisation with its `capture_before` and grants recorded: webhook events
   * do not carry the charge's authorisation details, so when they are missing the intent
   * is read from the provider once. Runs outside any transaction.
   */
  async authorizationFacts(paymentId: string): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (payment.status !== 'requires_capture' || !payment.intentId || payment.captureBefore) return payment;
    await this.state.applyOwn(paymentId, await this.gateway.retrieveIntent(payment.intentId));
    return this.get(paymentId);
  }

  /**
   * Raises an open authorisation to `newTotal` where the provider granted incremental
   * authorisation (fines added to the booking's hold, DESIGN.md section 12). Our row's
   * amount moves first (the provider's answer is checked against it), and back if the
   * provider refuses. Returns the payment, or null when it could not be raised (the
   * caller charges the difference separately). Runs outside any transaction.
   */
  async incrementAuthorization(paymentId: string, newTotal: number): Promise<PaymentView | null> {
    const payment = await this.get(paymentId);
    if (payment.status !== 'requires_capture' || !payment.intentId || payment.incrementalAuthorization !== 'available') {
      return null;
    }
    if (newTotal <= payment.amount) return payment;
    await this.repo.setAmount(paymentId, newTotal);
    try {
      const intent = await this.gateway.incrementAuthorization(payment.intentId, newTotal, `increment:${paymentId}:${newTotal}`);
      await this.state.applyOwn(paymentId, intent);
      return this.get(paymentId);
    } catch (error) {
      await this.repo.setAmount(paymentId, payment.amount);
      this.logger.warn({ err: error, paymentId, newTotal }, 'the provider did not raise the authorisation');
      return null;
    }
  }

  /** Releases an authorisation without taking money (a cancelled rental). Runs outside any transaction. */
  async releaseAuthorization(paymentId: string): Promise<PaymentView> {
    const payment = await this.get(paymentId);
    if (payment.status !== 'requires_capture') return payment;
    await this.cancelAttempt(payment);
    return this.get(paymentId);
  }

  /** Every attempt of a reservation, fines included, oldest first (a rental's money). */
  async allFor(reservationId: string): Promise<PaymentView[]> {
    return (await this.repo.allFor(reservationId)).map(toView);
  }

  /** True when an attempt of the reservation succeeded, is authorised, or is still processing. */
  async hasMoneyMoving(reservationId: string): Promise<boolean> {
    return this.repo.anyIn(reservationId, ['succeeded', 'requires_capture', 'processing']);
  }

  /**
   * The payments and refunds of each reservation given (reservation views: a page of a
   * list, or one), with the `paymentStatus` they add up to, in ONE query for the whole
   * page (and one for the cards set up for a scheduled authorisation). Reservations with
   * no payment get `none` (`scheduled` with a card set up) and empty lists.
   */
  async forReservations(reservationIds: string[]): Promise<Map<string, ReservationPayments>> {
    const out = new Map<string, ReservationPayments>(
      reservationIds.map((id) => [id, { paymentStatus: 'none', payments: [], refunds: [] }]),
    );
    if (reservationIds.length === 0) return out;
    const scheduled = await this.setups.withCardSetUp(reservationIds);
    for (const row of await this.repo.withRefundsFor(reservationIds)) {
      const entry = out.get(row.reservationId);
      if (!entry) continue;
      entry.payments.push(row.payment);
      entry.refunds.push(...row.refunds);
    }
    for (const [id, entry] of out) {
      entry.refunds.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.refundId.localeCompare(b.refundId));
      entry.paymentStatus = paymentStatusOf(entry.payments, entry.refunds, scheduled.has(id));
    }
    return out;
  }

  /** Payments that need a person (see `PaymentsRepository.markStuck`), newest first, each with why. */
  async listStuck(): Promise<(PaymentView & { stuckReason: string | null })[]> {
    return (await this.repo.listStuck(200)).map((r) => ({ ...toView(r), stuckReason: r.stuckReason }));
  }

  /** The reservation's latest attempt, or null. */
  async latestFor(reservationId: string): Promise<PaymentView | null> {
    const row = await this.repo.latestFor(reservationId);
    return row ? toView(row) : null;
  }

  /** The attempt behind an intent of a reservation, or null. */
  async findByIntent(reservationId: string, intentId: string): Promise<PaymentView | null> {
    const row = await this.repo.findByReservationAndIntent(reservationId, intentId);
    return row ? toView(row) : null;
  }

  /** The attempt behind a provider intent, with the user it belongs to, or null (the dev payment routes check ownership). */
  async findByIntentId(intentId: string): Promise<(PaymentView & { userId: string }) | null> {
    const row = await this.repo.findByIntent(intentId);
    return row ? { ...toView(row), userId: row.userId } : null;
  }

  /** @throws AppError NOT_FOUND when there is no such payment. */
  async get(paymentId: string): Promise<PaymentView> {
    const row = await this.repo.find(paymentId);
    if (!row) throw new AppError('NOT_FOUND', 'Payment not found');
    return toView(row);
  }

  private async cancelAttempt(payment: PaymentView): Promise<void> {
    if (!payment.intentId) {
      // Never reached the provider as far as we know: make sure it never does.
      await this.state.markFailed(payment.paymentId, 'abandoned');
      return;
    }
    try {
      const intent = await this.gateway.cancelIntent(payment.intentId, `cancel:${payment.paymentId}`);
      await this.state.applyOwn(payment.paymentId, intent);
    } catch (error) {
      // It may have succeeded meanwhile (cancel refused): the provider's word decides.
      const intent = await this.gateway.retrieveIntent(payment.intentId);
      await this.state.applyOwn(payment.paymentId, intent);
      if (intent.status !== 'succeeded' && intent.status !== 'requires_capture' && intent.status !== 'canceled') throw error;
    }
    await this.refunds.flushPending();
  }

  private async cancelOlderOpenIntents(current: PaymentView): Promise<void> {
    const older = await this.repo.listOpen(current.reservationId, OPEN_PAYMENT_STATUSES, current.paymentId);
    for (const payment of older) await this.cancelAttempt(toView(payment));
    if (await this.repo.anyIn(current.reservationId, ['succeeded', 'requires_capture'], current.paymentId))
      throw new AppError('INVALID_HOLD_STATUS', 'This reservation has already been paid');
  }
}
