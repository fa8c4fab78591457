import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { CustomersService } from './customers.service';
import { METRIC, PaymentMetrics } from './metrics.service';
import type { PaymentPurpose, PaymentStatus } from './payment.entity';
import { PAYMENT_GATEWAY, type PaymentGateway, PaymentGatewayError } from './payment-gateway';
import { PaymentStateService } from './payment-state.service';
import { PaymentsRepository } from './payments.repository';

export interface OffSessionCharge {
  reservationId: string;
  userId: string;
  amount: number;
  currency: string;
  purpose: Exclude<PaymentPurpose, 'booking'>;
  /** The payment whose card is charged (the booking's: saved for off-session use at convert). */
  cardOf: string;
  description?: string;
}

/**
 * Money taken after the customer has left (DESIGN.md section 12): a fine above the
 * authorisation, or raised after capture, charged to the booking's card without the
 * customer present. Local row first (`purpose: fine`), then the provider with key
 * `pi:{paymentId}`; a decline leaves the row `requires_payment_method` with its failure
 * code, so the charge is owed until a retry or the customer pays it.
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
    private readonly metrics: PaymentMetrics,
  ) {}

  /** Charges now; returns the new payment's id and status (`succeeded`, or where a decline left it). */
  async charge(input: OffSessionCharge): Promise<{ paymentId: string; status: string; failureCode: string | null }> {
    const card = await this.repo.find(input.cardOf);
    const customerId = await this.customers.find(input.userId);
    if (!card?.paymentMethodId || !customerId) {
      throw new Error(`payment ${input.cardOf} has no saved card and customer to charge off-session`);
    }
    const row = await this.txHost.run(() =>
      this.repo.insert({
        reservationId: input.reservationId,
        userId: input.userId,
        provider: this.gateway.name,
        amount: input.amount,
        currency: input.currency,
        captureMethod: 'automatic',
        purpose: input.purpose,
      }),
    );
    try {
      const intent = await this.gateway.chargeOffSession({
        paymentId: row.paymentId,
        amount: input.amount,
        currency: input.currency,
        customerId,
        paymentMethodId: card.paymentMethodId,
        metadata: { paymentId: row.paymentId, reservationId: input.reservationId, purpose: input.purpose },
        description: input.description,
      });
      await this.state.applyOwn(row.paymentId, intent);
    } catch (error) {
      if (!(error instanceof PaymentGatewayError)) throw error;
      this.logger.warn({ paymentId: row.paymentId, code: error.providerCode }, 'off-session charge refused');
      if (error.intent) await this.state.applyOwn(row.paymentId, error.intent);
      else await this.state.markFailed(row.paymentId, error.providerCode ?? error.kind);
      this.metrics.increment(METRIC.paymentOutcome, { result: error.kind === 'card_declined' ? 'declined' : 'error' });
    }
    const after = (await this.repo.find(row.paymentId))!;
    return { paymentId: after.paymentId, status: after.status, failureCode: after.failureCode };
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
