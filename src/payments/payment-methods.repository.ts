import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { CardSnapshot } from './payment-gateway';

/** A saved card, as our row keeps it (the card itself lives at the provider). */
export interface SavedMethod {
  id: string;
  userId: string;
  providerPaymentMethodId: string;
  type: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  nickname: string | null;
  isDefault: boolean;
  createdAt: Date;
}

const SAVED_COLUMNS = `id, user_id AS "userId", provider_payment_method_id AS "providerPaymentMethodId", type, brand, last4,
       exp_month AS "expMonth", exp_year AS "expYear", nickname, is_default AS "isDefault", created_at AS "createdAt"`;

/**
 * The provider customers (`payment_customers`, one per user) and saved cards
 * (`saved_payment_methods`) of payments' users. Every statement runs through
 * `TransactionHost.rows`, in the caller's transaction if one is open.
 */
@Injectable()
export class PaymentMethodsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** The user's provider customer id, or null. */
  async customerOf(userId: string): Promise<string | null> {
    const [row] = await this.txHost.rows<{ id: string }>(
      `SELECT provider_customer_id AS id FROM payment_customers WHERE user_id = $1`,
      [userId],
    );
    return row?.id ?? null;
  }

  /** Stores the user's provider customer, unless one is stored already (either unique index). */
  async insertCustomer(userId: string, provider: string, customerId: string): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO payment_customers (user_id, provider, provider_customer_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [userId, provider, customerId],
    );
  }

  /**
   * Locks the user's customer row until the transaction ends: serialises changes to one
   * user's cards. Every user with a card has one (created before the first attach).
   */
  async lockOwner(userId: string): Promise<void> {
    await this.txHost.rows(`SELECT 1 FROM payment_customers WHERE user_id = $1 FOR UPDATE`, [userId]);
  }

  /** The user's cards, the default first, then newest first. */
  async listFor(userId: string): Promise<SavedMethod[]> {
    return this.txHost.rows<SavedMethod>(
      `SELECT ${SAVED_COLUMNS} FROM saved_payment_methods WHERE user_id = $1 ORDER BY is_default DESC, created_at DESC, id DESC`,
      [userId],
    );
  }

  /** The user's card with our id, or null. */
  async findOwned(userId: string, id: string): Promise<SavedMethod | null> {
    const [row] = await this.txHost.rows<SavedMethod>(
      `SELECT ${SAVED_COLUMNS} FROM saved_payment_methods WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return row ?? null;
  }

  /** The user's card with the provider's id, or null. */
  async findByProviderId(userId: string, providerPaymentMethodId: string): Promise<SavedMethod | null> {
    const [row] = await this.txHost.rows<SavedMethod>(
      `SELECT ${SAVED_COLUMNS} FROM saved_payment_methods WHERE user_id = $1 AND provider_payment_method_id = $2`,
      [userId, providerPaymentMethodId],
    );
    return row ?? null;
  }

  /** The provider ids to charge the user's card with, or null when it is not theirs. */
  async chargeable(userId: string, id: string): Promise<{ customerId: string; providerPaymentMethodId: string } | null> {
    const [row] = await this.txHost.rows<{ customerId: string; providerPaymentMethodId: string }>(
      `SELECT m.provider_payment_method_id AS "providerPaymentMethodId", c.provider_customer_id AS "customerId"
         FROM saved_payment_methods m JOIN payment_customers c ON c.user_id = m.user_id
        WHERE m.id = $1 AND m.user_id = $2`,
      [id, userId],
    );
    return row ?? null;
  }

  /**
   * Inserts an attached card, the default when the user has none; null when the user
   * has it saved already (a concurrent save won).
   */
  async insert(userId: string, card: CardSnapshot, nickname: string | null): Promise<SavedMethod | null> {
    const [row] = await this.txHost.rows<SavedMethod>(
      `INSERT INTO saved_payment_methods (user_id, provider_payment_method_id, type, brand, last4, exp_month, exp_year, nickname, is_default)
       VALUES ($1, $2, 'card', $3, $4, $5, $6, $7,
               NOT EXISTS (SELECT 1 FROM saved_payment_methods WHERE user_id = $1 AND is_default))
       ON CONFLICT (user_id, provider_payment_method_id) DO NOTHING
       RETURNING ${SAVED_COLUMNS}`,
      [userId, card.id, card.brand, card.last4, card.expMonth, card.expYear, nickname],
    );
    return row ?? null;
  }

  /** Deletes the user's card; whether it was the default (false when it was already gone). */
  async delete(userId: string, id: string): Promise<{ wasDefault: boolean }> {
    const [deleted] = await this.txHost.rows<{ isDefault: boolean }>(
      `DELETE FROM saved_payment_methods WHERE id = $1 AND user_id = $2 RETURNING is_default AS "isDefault"`,
      [id, userId],
    );
    return { wasDefault: deleted?.isDefault === true };
  }

  /** Makes the user's most recently added card the default; its provider id, or null when none is left. */
  async promoteNewest(userId: string): Promise<string | null> {
    const [next] = await this.txHost.rows<{ id: string }>(
      `UPDATE saved_payment_methods SET is_default = true
        WHERE id = (SELECT id FROM saved_payment_methods WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)
        RETURNING provider_payment_method_id AS id`,
      [userId],
    );
    return next?.id ?? null;
  }

  /**
   * Makes the card the user's default: clears the others first, then sets it (the partial
   * unique index is checked row by row). False when the card is not there (the clearing
   * then stands until the caller rolls back).
   */
  async makeDefault(userId: string, id: string): Promise<boolean> {
    await this.txHost.rows(`UPDATE saved_payment_methods SET is_default = false WHERE user_id = $1 AND is_default AND id <> $2`, [
      userId,
      id,
    ]);
    const updated = await this.txHost.rows(
      `UPDATE saved_payment_methods SET is_default = true WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    return updated.length > 0;
  }
}
