import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { CustomersService } from './customers.service';
import type { PaymentMethodDto } from './dto/payment-method.dto';
import { PAYMENT_GATEWAY, PaymentGatewayError, type CardSnapshot, type PaymentGateway } from './payment-gateway';
import { type SavedMethod, PaymentMethodsRepository } from './payment-methods.repository';
import { toAppError } from './payments.errors';

/** Who is asking: the signed-in user (an `AuthUser` fits). */
export interface PaymentMethodOwner {
  sub: string;
  email?: string;
}

/** What a payment needs to charge a saved card. */
export interface ResolvedPaymentMethod {
  customerId: string;
  providerPaymentMethodId: string;
}

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  cartes_bancaires: 'Cartes Bancaires',
  eftpos_au: 'eftpos Australia',
  interac: 'Interac',
  unknown: 'Unknown',
};

/** Stripe's brand code (`visa`) as the app shows it (`Visa`, seed 004). */
export function displayBrand(brand: string): string {
  const known = BRANDS[brand.toLowerCase()];
  if (known) return known;
  if (brand !== brand.toLowerCase()) return brand; // already a display name
  return brand
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

const toDto = (r: SavedMethod): PaymentMethodDto => ({
  id: r.id,
  type: r.type,
  last4: r.last4,
  brand: displayBrand(r.brand),
  expMonth: String(r.expMonth).padStart(2, '0'),
  expYear: String(r.expYear),
  isDefault: r.isDefault,
  nickname: r.nickname,
  createdAt: new Date(r.createdAt).toISOString(),
});

const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

const notFound = (): AppError => new AppError('PAYMENT_METHOD_NOT_FOUND', 'Payment method not found');

/**
 * Saved cards (seed 004): the card lives at the provider, attached to the user's
 * provider customer; we keep our own uuid and what the app displays. A user sees and
 * changes only their own cards: any other id, including a malformed one, is 404
 * PAYMENT_METHOD_NOT_FOUND.
 *
 * Provider calls run outside our transactions; every change to a user's cards runs
 * under a lock on that user's `payment_customers` row, so "exactly one default while
 * any card is left" holds under concurrency (the partial unique index
 * `uq_saved_payment_methods_default` backs it up).
 */
@Injectable()
export class PaymentMethodsService {
  private readonly logger = new Logger(PaymentMethodsService.name);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: CustomersService,
    private readonly repository: PaymentMethodsRepository,
  ) {}

  /** The user's cards, the default first, then newest first. */
  async list(user: PaymentMethodOwner): Promise<PaymentMethodDto[]> {
    return (await this.repository.listFor(user.sub)).map(toDto);
  }

  /**
   * Saves a card the app created with Stripe.js: attaches it to the user's provider
   * customer (created on first need) and stores what the app displays. The user's first
   * card becomes the default (at the provider too). Adding the same provider
   * PaymentMethod again returns the card already saved, unchanged. (Stripe's test ids
   * such as `pm_card_visa` make a NEW PaymentMethod on every attach, so each add of one
   * saves another card.)
   *
   * Errors: a PaymentMethod the provider refuses (unknown, spent, or attached to someone
   * else) is 400 VALIDATION_FAILED on `paymentMethodId`; a card declined on attach is
   * 400 PAYMENT_CARD_DECLINED; the provider unreachable is 502 PAYMENT_PROCESSING_FAILED.
   * Call outside any transaction.
   */
  async add(user: PaymentMethodOwner, input: { paymentMethodId: string; nickname?: string }): Promise<PaymentMethodDto> {
    const existing = await this.repository.findByProviderId(user.sub, input.paymentMethodId);
    if (existing) return toDto(existing);
    const customerId = await this.customers.ensureCustomer(user.sub, user.email);
    const card = await this.attach(input.paymentMethodId, customerId);
    return toDto(await this.store(user.sub, customerId, card, input.nickname?.trim() || null));
  }

  /**
   * Removes a card: detaches it at the provider, then deletes our row and, if it was the
   * default, makes the most recently added remaining card the default (or none is left),
   * in ONE transaction. A card already detached at the provider (say, a retry after a
   * crash between the two steps) is simply deleted here.
   */
  async remove(user: PaymentMethodOwner, id: string): Promise<void> {
    const row = await this.findOwned(user.sub, id);
    await this.detach(row.providerPaymentMethodId);
    const promoted = await this.txHost.run(async () => {
      await this.repository.lockOwner(user.sub);
      const { wasDefault } = await this.repository.delete(user.sub, id);
      // Already gone: a concurrent remove of the same card won; the outcome is the same.
      if (!wasDefault) return null;
      return this.repository.promoteNewest(user.sub);
    });
    // Detaching the default already cleared it at the provider; tell it the new one.
    if (promoted) await this.syncProviderDefault(user.sub, promoted);
  }

  /**
   * Makes one of the user's cards the default. The provider is told first, so when it is
   * unreachable (502) nothing has changed; our row is the one our payments use.
   */
  async setDefault(user: PaymentMethodOwner, id: string): Promise<void> {
    const row = await this.findOwned(user.sub, id);
    if (row.isDefault) return;
    const customerId = await this.customers.find(user.sub);
    if (customerId) {
      try {
        await this.gateway.setDefaultPaymentMethod(customerId, row.providerPaymentMethodId);
      } catch (error) {
        // Refused (e.g. detached in the provider's dashboard): our default still decides
        // which card we charge, so go on; only an unreachable provider fails the request.
        if (!(error instanceof PaymentGatewayError && error.kind === 'invalid_request')) throw toAppError(error);
        this.logger.warn({ userId: user.sub, methodId: id, err: error.message }, 'provider refused the default payment method');
      }
    }
    await this.txHost.run(async () => {
      await this.repository.lockOwner(user.sub);
      // removed meanwhile: roll the clearing back
      if (!(await this.repository.makeDefault(user.sub, id))) throw notFound();
    });
  }

  /**
   * For convert with a saved card: the provider ids to charge it with. Throws 404
   * PAYMENT_METHOD_NOT_FOUND when `ourMethodId` is not one of the user's cards
   * (malformed ids included).
   */
  async resolveForPayment(userId: string, ourMethodId: string): Promise<ResolvedPaymentMethod> {
    if (!isUuid(ourMethodId)) throw notFound();
    const chargeable = await this.repository.chargeable(userId, ourMethodId);
    if (!chargeable) throw notFound();
    return chargeable;
  }

  /**
   * Keeps the card of a successful payment made with `savePaymentMethod: true`. The
   * intent must have been created with the user's customer (`ensureCustomer`) and
   * `setupFutureUsage`, so the provider has already attached the card; attaching again
   * to the same customer just returns it with its details. Idempotent (a card already
   * saved is returned as is); the first card becomes the default. Throws AppError like
   * `add`: the payment has succeeded regardless, so callers log and carry on. Call
   * outside any transaction.
   */
  async saveFromPayment(userId: string, providerPaymentMethodId: string): Promise<PaymentMethodDto> {
    const existing = await this.repository.findByProviderId(userId, providerPaymentMethodId);
    if (existing) return toDto(existing);
    const customerId = await this.customers.ensureCustomer(userId);
    const card = await this.attach(providerPaymentMethodId, customerId);
    return toDto(await this.store(userId, customerId, card, null));
  }

  /** The user's card with our id, or 404 (also for a malformed id or another user's card). */
  private async findOwned(userId: string, id: string): Promise<SavedMethod> {
    if (!isUuid(id)) throw notFound();
    const row = await this.repository.findOwned(userId, id);
    if (!row) throw notFound();
    return row;
  }

  /** Inserts the attached card (the default when the user has none), or returns the one saved concurrently. */
  private async store(userId: string, customerId: string, card: CardSnapshot, nickname: string | null): Promise<SavedMethod> {
    const row = await this.txHost.run(async () => {
      await this.repository.lockOwner(userId);
      const inserted = await this.repository.insert(userId, card, nickname);
      if (inserted) return { row: inserted, created: true };
      const saved = await this.repository.findByProviderId(userId, card.id);
      if (!saved) throw new Error(`saved payment method ${card.id} vanished after a conflicting insert`);
      return { row: saved, created: false };
    });
    if (row.created && row.row.isDefault) await this.syncProviderDefault(userId, card.id, customerId);
    return row.row;
  }

  /** Attaches at the provider, mapping its refusals to our codes. */
  private async attach(providerPaymentMethodId: string, customerId: string): Promise<CardSnapshot> {
    try {
      return await this.gateway.attachPaymentMethod(providerPaymentMethodId, customerId);
    } catch (error) {
      if (error instanceof PaymentGatewayError && error.kind === 'invalid_request') {
        // Never echo the provider's message: it can name another customer.
        throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
          {
            field: 'paymentMethodId',
            message:
              'the payment provider does not know this payment method, or it cannot be saved (already used or saved elsewhere)',
          },
        ]);
      }
      throw toAppError(error);
    }
  }

  /** Detaches at the provider; one it no longer has attached counts as done. */
  private async detach(providerPaymentMethodId: string): Promise<void> {
    try {
      await this.gateway.detachPaymentMethod(providerPaymentMethodId);
    } catch (error) {
      if (!(error instanceof PaymentGatewayError && error.kind === 'invalid_request')) throw toAppError(error);
      this.logger.warn({ pm: providerPaymentMethodId, err: error.message }, 'payment method was not attached at the provider');
    }
  }

  /**
   * Best effort: the provider's default only matters to the provider's own features
   * (invoices); the card we charge is the one our rows name. A failure is logged and the
   * next change of default sets it again.
   */
  private async syncProviderDefault(userId: string, providerPaymentMethodId: string, customerId?: string): Promise<void> {
    const customer = customerId ?? (await this.customers.find(userId));
    if (!customer) return;
    try {
      await this.gateway.setDefaultPaymentMethod(customer, providerPaymentMethodId);
    } catch (error) {
      this.logger.warn(
        { userId, pm: providerPaymentMethodId, err: error instanceof Error ? error.message : String(error) },
        'could not set the default payment method at the provider',
      );
    }
  }
}
