import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { CustomersService } from './customers.service';
import { METRIC, PaymentMetrics } from './metrics.service';
import type { PaymentPurpose, PaymentStatus } from './payment.entity';
import { PAYMENT_GATEWAY, type IntentSnapshot, type PaymentGateway, PaymentGatewayError } from './payment-gateway';
import { PaymentSetupsService } from './payment-setups.service';
import { PaymentStateService } from './payment-state.service';
import { type PaymentRecord, PaymentsRepository } from './payments.repository';

export interface OffSessionCharge {
  reservationId: string;
  userId: string;
  amount: number;
  currency: string;
  purpose: Exclude<PaymentPurpose, 'booking'>;
  /**
   * The payment whose card is charged (the booking's: saved for off-session use at
   * convert), or null for the card the reservation's SetupIntent saved (a vehicle booked
   * ahead and cancelled before its authorisation).
   */
  cardOf: string | null;
  description?: string;
}

/** A vehicle's authorisation made while the customer is away: the scheduled one (`booking`) or a renewal. */
export interface OffSessionAuthorization {
  reservationId: string;
  userId: string;
  amount: number;
  currency: string;
  purpose: 'booking' | 'renewal';
  /**
   * A renewal: the authorisation it replaces (its card is used, and an attempt made after
   * it is resumed rather than made twice). The scheduled one: null (the SetupIntent's card).
   */
  cardOf: string | null;
  description?: string;
}

/** Where an off-session attempt stands after the call (see `OffSessionChargesService`). */
export interface OffSessionResult {
  paymentId: string;
  /** Our attempt status: `succeeded` / `requires_capture` when it went through. */
  status: string;
  failureCode: string | null;
  /** For the app to complete the attempt on-session when the customer must act (a decline, 3-D Secure). */
  clientSecret: string | null;
  captureBefore: Date | null;
}

/**
 * Money taken or held while the customer is away (DESIGN.md section 12), on the card kept
 * for off-session use: a fine charged above the authorisation or after capture; a
 * vehicle's scheduled authorisation (`lead days` before pickup) and its renewals. Local
 * row first (`off_session`), then the provider with key `pi:{paymentId}`; a decline leaves
 * the row `requires_payment_method` with its failure code and the intent's client secret,
 * so it is owed (a fine) or waits for the customer (an authorisation) until a retry or the
 * customer completes it.
 */
@Injectable()
export class OffSessionChargesService {
  private readonly logger = new Logger('OffSessionCharges');

  constructor(
    private readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly repo: PaymentsRepository,
    private readonly state: PaymentStateService,
    private readonly customers: CustomersService,
    private readonly setups: PaymentSetupsService,
    private readonly metrics: PaymentMetrics,
  ) {}

  /** Charges now (automatic capture); returns the new payment's id and status (`succeeded`, or where a decline left it). */
  async charge(input: OffSessionCharge): Promise<OffSessionResult> {
    const card = await this.cardOf(input.reservationId, input.userId, input.cardOf);
    const row = await this.txHost.run(() =>
      this.repo.insert({
        reservationId: input.reservationId,
        userId: input.userId,
        provider: this.gateway.name,
        amount: input.amount,
        currency: input.currency,
        captureMethod: 'automatic',
        purpose: input.purpose,
        offSession: true,
      }),
    );
    // A charge that got no answer is marked failed (a retry is a new charge, a new key).
    return this.attempt(row, input.purpose, 'fail', () =>
      this.gateway.chargeOffSession({ ...this.request(row, input.purpose, card), description: input.description }),
    );
  }

  /**
   * Authorises `amount` off-session (manual capture, extended and incremental
   * authorisation asked for where the card allows). Safe to call again at any time and
   * from several places at once (the scheduled job, its safety pass): under a lock per
   * reservation, an attempt of this purpose made after `cardOf` is resumed with its own
   * key (or, once answered, returned as it stands) instead of authorising twice.
   */
  async authorize(input: OffSessionAuthorization): Promise<OffSessionResult> {
    const card = await this.cardOf(input.reservationId, input.userId, input.cardOf);
    const row = await this.txHost.run(async () => {
      await this.repo.lockAuthorizationsOf(input.reservationId);
      const last = await this.repo.latestOffSession(input.reservationId, input.purpose, input.cardOf);
      if (last && last.status !== 'canceled' && last.status !== 'failed') return last;
      return this.repo.insert({
        reservationId: input.reservationId,
        userId: input.userId,
        provider: this.gateway.name,
        amount: input.amount,
        currency: input.currency,
        captureMethod: 'manual',
        purpose: input.purpose,
        offSession: true,
      });
    });
    if (row.status !== 'creating') return this.result(row); // answered already: the caller decides from where it stands
    // No answer (a timeout, an outage): the row stays `creating` and the next call resumes it with the same key.
    return this.attempt(row, input.purpose, 'resume', () =>
      this.gateway.authorizeOffSession({
        ...this.request(row, input.purpose, card),
        description: input.description,
        requestExtended: true,
        requestIncremental: true,
      }),
    );
  }

  private async attempt(
    row: PaymentRecord,
    purpose: PaymentPurpose,
    unanswered: 'fail' | 'resume',
    call: () => Promise<IntentSnapshot>,
  ): Promise<OffSessionResult> {
    try {
      await this.state.applyOwn(row.paymentId, await call());
    } catch (error) {
      if (!(error instanceof PaymentGatewayError)) throw error;
      this.logger.warn({ paymentId: row.paymentId, purpose, code: error.providerCode }, `off-session ${purpose} refused`);
      this.metrics.increment(METRIC.paymentOutcome, { result: error.kind === 'card_declined' ? 'declined' : 'error' });
      if (error.intent) await this.state.applyOwn(row.paymentId, error.intent);
      else if (unanswered === 'fail' || error.kind !== 'processing')
        await this.state.markFailed(row.paymentId, error.providerCode ?? error.kind);
      else throw error;
    }
    return this.result((await this.repo.find(row.paymentId))!);
  }

  private result(p: PaymentRecord): OffSessionResult {
    return {
      paymentId: p.paymentId,
      status: p.status,
      failureCode: p.failureCode,
      clientSecret: p.clientSecret,
      captureBefore: p.captureBefore,
    };
  }

  private request(row: PaymentRecord, purpose: PaymentPurpose, card: { customerId: string; paymentMethodId: string }) {
    return {
      paymentId: row.paymentId,
      amount: row.amount,
      currency: row.currency,
      customerId: card.customerId,
      paymentMethodId: card.paymentMethodId,
      metadata: { paymentId: row.paymentId, reservationId: row.reservationId, purpose },
    };
  }

  /** The saved card and customer to use: `cardOf`'s payment's card, or the reservation's set-up card. */
  private async cardOf(
    reservationId: string,
    userId: string,
    cardOf: string | null,
  ): Promise<{ customerId: string; paymentMethodId: string }> {
    if (cardOf === null) {
      const setUp = await this.setups.cardFor(reservationId);
      if (!setUp) throw new Error(`reservation ${reservationId} has no card set up to charge off-session`);
      return setUp;
    }
    const payment = await this.repo.find(cardOf);
    const customerId = await this.customers.find(userId);
    if (!payment?.paymentMethodId || !customerId) {
      throw new Error(`payment ${cardOf} has no saved card and customer to charge off-session`);
    }
    return { customerId, paymentMethodId: payment.paymentMethodId };
  }

  /**
   * Withdraws an off-session charge that did not go through, once it is no longer the one
   * owed (a newer attempt replaces it, or the money came otherwise or was waived), so the
   * customer can no longer pay it in the app: its intent is cancelled at the provider (key
   * `cancel:{paymentId}`). Returns its status after: `canceled`, or `succeeded` when it
   * was paid meanwhile (the provider's word decides); a charge already settled is left alone.
   */
  async withdraw(paymentId: string): Promise<string> {
    const payment = await this.repo.find(paymentId);
    if (!payment || payment.purpose === 'booking') throw new Error(`payment ${paymentId} is not an off-session charge`);
    if (!WITHDRAWABLE.includes(payment.status)) return payment.status;
    if (!payment.intentId) {
      await this.state.markFailed(paymentId, 'withdrawn');
    } else {
      try {
        await this.state.applyOwn(paymentId, await this.gateway.cancelIntent(payment.intentId, `cancel:${paymentId}`));
      } catch (error) {
        if (!(error instanceof PaymentGatewayError)) throw error;
        // Refused: it may have been paid meanwhile. What the provider says it is now decides.
        const intent = await this.gateway.retrieveIntent(payment.intentId);
        await this.state.applyOwn(paymentId, intent);
        if (intent.status !== 'succeeded' && intent.status !== 'canceled') throw error;
      }
    }
    return (await this.repo.find(paymentId))!.status;
  }
}

/** A charge in these states could still be paid (by the customer in the app): withdrawn before another is made. */
const WITHDRAWABLE: PaymentStatus[] = ['requires_payment_method', 'requires_action', 'requires_confirmation'];
