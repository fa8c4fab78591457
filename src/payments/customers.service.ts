import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { PAYMENT_GATEWAY, type PaymentGateway } from './payment-gateway';
import { PaymentMethodsRepository } from './payment-methods.repository';
import { toAppError } from './payments.errors';

/**
 * One provider customer per user (`payment_customers`), created on first need: when a
 * user saves a card or pays with `savePaymentMethod: true`.
 */
@Injectable()
export class CustomersService {
  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly repository: PaymentMethodsRepository,
  ) {}

  /** The user's provider customer id, or null when they have none yet. */
  async find(userId: string): Promise<string | null> {
    return this.repository.customerOf(userId);
  }

  /**
   * The user's provider customer id, creating the customer on first need. Call it
   * outside any transaction: it may call the provider.
   *
   * Race-safe without holding a lock across the provider call: the gateway creates the
   * customer under an idempotency key derived from the user id, so concurrent first
   * requests get the SAME provider customer back; the row is inserted with
   * `ON CONFLICT DO NOTHING` and re-read, so every caller returns the one row that won.
   * (No conflict target: both `user_id` and `provider_customer_id` are unique, and two
   * racing inserts carry the same pair, so either index may be the one that conflicts.) Provider failures become our codes (502 PAYMENT_PROCESSING_FAILED).
   */
  async ensureCustomer(userId: string, email?: string): Promise<string> {
    const existing = await this.find(userId);
    if (existing) return existing;
    let created: { id: string };
    try {
      created = await this.gateway.createCustomer({ userId, email });
    } catch (error) {
      // Another request may have created and stored it while ours failed (e.g. Stripe
      // refusing a concurrent use of the same idempotency key): take that one.
      const stored = await this.find(userId);
      if (stored) return stored;
      throw toAppError(error);
    }
    await this.repository.insertCustomer(userId, this.gateway.name, created.id);
    const stored = await this.find(userId);
    if (!stored) throw new Error(`payment customer of user ${userId} vanished after insert`);
    return stored;
  }
}
