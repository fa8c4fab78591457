import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { SetupIntentStatus } from './payment-gateway';

/** A setup's statuses: a SetupIntent's, plus `creating` (no answer yet) and `failed` (never reached the provider). */
export type PaymentSetupStatus = 'creating' | SetupIntentStatus | 'failed';

/** A card being saved for off-session use on a SetupIntent (a vehicle booked further ahead than the lead days). */
export interface PaymentSetup {
  setupId: string;
  reservationId: string;
  userId: string;
  setupIntentId: string | null;
  status: PaymentSetupStatus;
  /** The provider customer and card, once known (the card: once the SetupIntent has one). */
  customerId: string | null;
  paymentMethodId: string | null;
  clientSecret: string | null;
  nextActionType: string | null;
  failureCode: string | null;
  createdAt: Date;
}

/** What the provider said about a setup's SetupIntent (see `PaymentSetupsService.apply`). */
export interface SetupUpdate {
  setupIntentId: string;
  status: SetupIntentStatus;
  customerId: string | null;
  paymentMethodId: string | null;
  clientSecret: string | null;
  nextActionType: string | null;
  /** A decline's code and message (null: keep the failure, or clear it on success). */
  failureCode: string | null;
  failureMessage: string | null;
}

const COLUMNS = `id AS "setupId", reservation_id AS "reservationId", user_id AS "userId",
  provider_setup_intent_id AS "setupIntentId", status, customer_id AS "customerId", payment_method_id AS "paymentMethodId",
  client_secret AS "clientSecret", next_action_type AS "nextActionType", failure_code AS "failureCode", created_at AS "createdAt"`;

/** The payment_setups table (owned by payments). Every statement through TransactionHost.rows. */
@Injectable()
export class PaymentSetupsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  private async one(where: string, params: unknown[]): Promise<PaymentSetup | null> {
    const [row] = await this.txHost.rows<PaymentSetup>(`SELECT ${COLUMNS} FROM payment_setups ${where}`, params);
    return row ?? null;
  }

  async find(setupId: string): Promise<PaymentSetup | null> {
    return this.one(`WHERE id = $1`, [setupId]);
  }

  /** The row a SetupIntent is about (by its id, or by the setup id its metadata names), locked. */
  async lockByIntent(setupIntentId: string | null, setupId: string | null): Promise<PaymentSetup | null> {
    return this.one(
      `WHERE ($1::text IS NOT NULL AND provider_setup_intent_id = $1) OR ($2::uuid IS NOT NULL AND id = $2::uuid)
       ORDER BY id LIMIT 1 FOR UPDATE`,
      [setupIntentId, setupId],
    );
  }

  /** The reservation's newest setup, locked (`lock: true`) or not. */
  async latestFor(reservationId: string, lock = false): Promise<PaymentSetup | null> {
    return this.one(`WHERE reservation_id = $1 ORDER BY created_at DESC, id LIMIT 1 ${lock ? 'FOR UPDATE' : ''}`, [
      reservationId,
    ]);
  }

  /** The reservation's newest setup that succeeded: the card its off-session payments use. */
  async latestSucceeded(reservationId: string): Promise<PaymentSetup | null> {
    return this.one(`WHERE reservation_id = $1 AND status = 'succeeded' ORDER BY created_at DESC, id LIMIT 1`, [reservationId]);
  }

  async findByReservationAndIntent(reservationId: string, setupIntentId: string): Promise<PaymentSetup | null> {
    return this.one(`WHERE reservation_id = $1 AND provider_setup_intent_id = $2`, [reservationId, setupIntentId]);
  }

  /** Which of these reservations have a card set up (a succeeded SetupIntent). */
  async withCardSetUp(reservationIds: string[]): Promise<Set<string>> {
    if (reservationIds.length === 0) return new Set();
    const rows = await this.txHost.rows<{ reservationId: string }>(
      `SELECT DISTINCT reservation_id AS "reservationId" FROM payment_setups
        WHERE reservation_id = ANY($1::uuid[]) AND status = 'succeeded'`,
      [reservationIds],
    );
    return new Set(rows.map((r) => r.reservationId));
  }

  /** Our "local row first": a new setup, before the provider is called. */
  async insert(row: { reservationId: string; userId: string; provider: string }): Promise<PaymentSetup> {
    const [created] = await this.txHost.rows<PaymentSetup>(
      `INSERT INTO payment_setups (reservation_id, user_id, provider) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [row.reservationId, row.userId, row.provider],
    );
    return created;
  }

  /** Records what the provider says about the row's SetupIntent. */
  async apply(setupId: string, u: SetupUpdate): Promise<void> {
    await this.txHost.rows(
      `UPDATE payment_setups
          SET provider_setup_intent_id = $2, status = $3, customer_id = COALESCE($4, customer_id),
              payment_method_id = COALESCE($5, payment_method_id), client_secret = COALESCE($6, client_secret),
              next_action_type = $7,
              failure_code = CASE WHEN $8::text IS NOT NULL THEN $8 WHEN $3 = 'succeeded' THEN NULL ELSE failure_code END,
              failure_message = CASE WHEN $8::text IS NOT NULL THEN $9 WHEN $3 = 'succeeded' THEN NULL ELSE failure_message END,
              updated_at = now()
        WHERE id = $1`,
      [
        setupId,
        u.setupIntentId,
        u.status,
        u.customerId,
        u.paymentMethodId,
        u.clientSecret,
        u.nextActionType,
        u.failureCode,
        u.failureMessage,
      ],
    );
  }

  /** Our own verdict on a setup that never reached the provider (or a refusal without a SetupIntent). */
  async markFailed(setupId: string, code: string): Promise<void> {
    await this.txHost.rows(
      `UPDATE payment_setups SET status = CASE WHEN provider_setup_intent_id IS NULL THEN 'failed' ELSE status END,
              failure_code = $2, updated_at = now()
        WHERE id = $1 AND status NOT IN ('succeeded', 'canceled', 'failed')`,
      [setupId, code],
    );
  }
}
