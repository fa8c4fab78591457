import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { PaymentPurpose, PaymentStatus } from './payment.entity';
import type { PaymentSummary, RefundSummary } from './payment-status';

/** A payment attempt as payments' callers see it. */
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
  /** booking | renewal (a vehicle's authorisation renewed) | fine (charged after a rental). */
  purpose: PaymentPurpose;
  /** When the provider releases an authorisation (the charge's `capture_before`): schedules run from it. */
  captureBefore: Date | null;
  /** Whether the provider granted extended and incremental authorisation (null: not asked or not said). */
  extendedAuthorization: string | null;
  incrementalAuthorization: string | null;
  /** Made while the customer was away (merchant-initiated): a scheduled or renewed authorisation, a fine. */
  offSession: boolean;
  createdAt: Date;
}

/** A payment row with what only payments itself reads: its user, the newest event applied, why it is stuck. */
export interface PaymentRecord extends PaymentView {
  userId: string;
  /** The provider's payment method the attempt used (a fine is charged to the booking's). */
  paymentMethodId: string | null;
  providerEventAt: Date | null;
  stuckReason: string | null;
}

export interface NewPaymentRow {
  reservationId: string;
  userId: string;
  provider: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  purpose?: PaymentPurpose;
  offSession?: boolean;
}

/** What `applyIntent` writes to a row (see `PaymentStateService.applyIntent`). */
export interface IntentUpdate {
  intentId: string;
  status: PaymentStatus;
  clientSecret: string | null;
  /** Raises `captured_cents` to at least this. */
  captured: number;
  chargeId: string | null;
  paymentMethodId: string | null;
  /** A decline's code and message (null: keep the failure, or clear it on success). */
  failureCode: string | null;
  failureMessage: string | null | undefined;
  /** Raises the newest-event watermark to this. */
  eventCreatedAt: Date | null;
  nextActionType: string | null;
  /** The authorisation's facts, when the provider reported them (null keeps what we had). */
  captureBefore?: Date | null;
  extendedAuthorization?: string | null;
  incrementalAuthorization?: string | null;
}

const PAYMENT_COLUMNS = `id, reservation_id, user_id, provider_intent_id, status, amount_cents, currency, captured_cents,
       refunded_cents, capture_method, client_secret, charge_id, failure_code, next_action_type, provider_event_at,
       created_at, stuck_reason, payment_method_id, purpose, capture_before, extended_authorization, incremental_authorization,
       off_session`;

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
  provider_event_at: Date | null;
  created_at: Date;
  stuck_reason: string | null;
  payment_method_id: string | null;
  purpose: PaymentPurpose;
  capture_before: Date | null;
  extended_authorization: string | null;
  incremental_authorization: string | null;
  off_session: boolean;
}

/** The one row -> view mapping. */
const toRecord = (r: PaymentRow): PaymentRecord => ({
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
  purpose: r.purpose,
  captureBefore: r.capture_before,
  extendedAuthorization: r.extended_authorization,
  incrementalAuthorization: r.incremental_authorization,
  offSession: r.off_session,
  createdAt: r.created_at,
  userId: r.user_id,
  paymentMethodId: r.payment_method_id,
  providerEventAt: r.provider_event_at,
  stuckReason: r.stuck_reason,
});

/** A payment with its refunds, as reservation views show them. */
export interface PaymentWithRefunds {
  reservationId: string;
  payment: PaymentSummary;
  refunds: RefundSummary[];
}

/**
 * The payments table: attempts, what the provider said about them, and the stuck list.
 * Every statement runs through `TransactionHost.rows`, in the caller's transaction if
 * one is open. No other module's tables are named here.
 */
@Injectable()
export class PaymentsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  private async many(where: string, params: unknown[]): Promise<PaymentRecord[]> {
    return (await this.txHost.rows<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments ${where}`, params)).map(toRecord);
  }

  private async one(where: string, params: unknown[]): Promise<PaymentRecord | null> {
    return (await this.many(where, params))[0] ?? null;
  }

  async find(paymentId: string): Promise<PaymentRecord | null> {
    return this.one(`WHERE id = $1`, [paymentId]);
  }

  /** The row, locked FOR UPDATE until the transaction ends. */
  async lock(paymentId: string): Promise<PaymentRecord | null> {
    return this.one(`WHERE id = $1 FOR UPDATE`, [paymentId]);
  }

  /** The row an intent is about (by intent id, or by the payment id its metadata names), locked. */
  async lockByIntent(intentId: string, metadataPaymentId: string | null): Promise<PaymentRecord | null> {
    return this.one(`WHERE provider_intent_id = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid) ORDER BY id LIMIT 1 FOR UPDATE`, [
      intentId,
      metadataPaymentId,
    ]);
  }

  /** The reservation's latest booking or renewal attempt (never a fine charge), locked (`lock: true`) or not. */
  async latestFor(reservationId: string, lock = false): Promise<PaymentRecord | null> {
    return lock
      ? this.one(`WHERE reservation_id = $1 AND purpose <> 'fine' ORDER BY created_at DESC LIMIT 1 FOR UPDATE`, [reservationId])
      : this.one(`WHERE reservation_id = $1 AND purpose <> 'fine' ORDER BY created_at DESC LIMIT 1`, [reservationId]);
  }

  /** Every attempt of a reservation, fines included, oldest first (a rental's money). */
  async allFor(reservationId: string): Promise<PaymentRecord[]> {
    return this.many(`WHERE reservation_id = $1 ORDER BY created_at, id`, [reservationId]);
  }

  async findByIntent(intentId: string): Promise<PaymentRecord | null> {
    return this.one(`WHERE provider_intent_id = $1`, [intentId]);
  }

  async findByReservationAndIntent(reservationId: string, intentId: string): Promise<PaymentRecord | null> {
    return this.one(`WHERE reservation_id = $1 AND provider_intent_id = $2`, [reservationId, intentId]);
  }

  /** Which other payment holds this intent, if any. */
  async otherWithIntent(intentId: string, paymentId: string): Promise<string | null> {
    const [row] = await this.txHost.rows<{ id: string }>(`SELECT id FROM payments WHERE provider_intent_id = $1 AND id <> $2`, [
      intentId,
      paymentId,
    ]);
    return row?.id ?? null;
  }

  /** The reservation's attempts in one of `statuses` (but `exceptId`), oldest first. */
  async listOpen(reservationId: string, statuses: PaymentStatus[], exceptId: string | null = null): Promise<PaymentRecord[]> {
    return this.many(
      `WHERE reservation_id = $1 AND ($3::uuid IS NULL OR id <> $3::uuid) AND status = ANY($2::text[]) ORDER BY created_at`,
      [reservationId, statuses, exceptId],
    );
  }

  /** True when a booking or renewal attempt of the reservation (but `exceptId`) is in one of `statuses`. */
  async anyIn(reservationId: string, statuses: PaymentStatus[], exceptId: string | null = null): Promise<boolean> {
    const rows = await this.txHost.rows(
      `SELECT 1 FROM payments
        WHERE reservation_id = $1 AND purpose <> 'fine' AND ($3::uuid IS NULL OR id <> $3::uuid) AND status = ANY($2::text[])
        LIMIT 1`,
      [reservationId, statuses, exceptId],
    );
    return rows.length > 0;
  }

  /** Payments that need a person, newest first. */
  async listStuck(limit: number): Promise<PaymentRecord[]> {
    return this.many(`WHERE stuck ORDER BY updated_at DESC LIMIT $1`, [limit]);
  }

  /** Which of these intents and payment ids are payments (rows: id and intent id). */
  async existing(intentIds: string[], paymentIds: string[]): Promise<{ id: string; intentId: string | null }[]> {
    return this.txHost.rows(
      `SELECT id, provider_intent_id AS "intentId" FROM payments WHERE provider_intent_id = ANY($1::text[]) OR id = ANY($2::uuid[])`,
      [intentIds, paymentIds],
    );
  }

  /**
   * Serialises the off-session authorisations of one reservation until the transaction
   * ends (a scheduled job, its safety pass and a renewal may run at once): whoever comes
   * second sees the first one's row and resumes it instead of authorising twice.
   */
  async lockAuthorizationsOf(reservationId: string): Promise<void> {
    await this.txHost.rows(`SELECT pg_advisory_xact_lock(hashtext('holdfast.offsession-auth:' || $1::text))::text AS locked`, [
      reservationId,
    ]);
  }

  /** The reservation's newest off-session attempt of `purpose` created after `afterPaymentId`'s (any, when null). */
  async latestOffSession(
    reservationId: string,
    purpose: PaymentPurpose,
    afterPaymentId: string | null,
  ): Promise<PaymentRecord | null> {
    return this.one(
      `WHERE reservation_id = $1 AND purpose = $2 AND off_session
         AND ($3::uuid IS NULL OR created_at > (SELECT created_at FROM payments WHERE id = $3::uuid))
       ORDER BY created_at DESC, id LIMIT 1`,
      [reservationId, purpose, afterPaymentId],
    );
  }

  /** Our "local row first": a new attempt, before the provider is called. */
  async insert(row: NewPaymentRow): Promise<PaymentRecord> {
    const [created] = await this.txHost.rows<PaymentRow>(
      `INSERT INTO payments (reservation_id, user_id, provider, status, amount_cents, currency, capture_method, purpose, off_session)
       VALUES ($1, $2, $3, 'creating', $4, $5, $6, $7, $8) RETURNING ${PAYMENT_COLUMNS}`,
      [
        row.reservationId,
        row.userId,
        row.provider,
        row.amount,
        row.currency,
        row.captureMethod,
        row.purpose ?? 'booking',
        row.offSession ?? false,
      ],
    );
    return toRecord(created);
  }

  /** Records what the provider says about the row's intent (see `IntentUpdate`). */
  async applyIntent(paymentId: string, u: IntentUpdate): Promise<void> {
    await this.txHost.rows(
      `UPDATE payments SET provider_intent_id = $2, status = $3, client_secret = COALESCE($4, client_secret),
              captured_cents = GREATEST(captured_cents, $5), charge_id = COALESCE($6, charge_id),
              payment_method_id = COALESCE($7, payment_method_id),
              failure_code = CASE WHEN $8::text IS NOT NULL THEN $8 WHEN $3 IN ('succeeded', 'requires_capture') THEN NULL ELSE failure_code END,
              failure_message = CASE WHEN $8::text IS NOT NULL THEN $9 ELSE failure_message END,
              provider_event_at = GREATEST(provider_event_at, $10::timestamptz),
              next_action_type = $11,
              capture_before = COALESCE($12, capture_before),
              extended_authorization = COALESCE($13, extended_authorization),
              incremental_authorization = COALESCE($14, incremental_authorization),
              updated_at = now()
        WHERE id = $1`,
      [
        paymentId,
        u.intentId,
        u.status,
        u.clientSecret,
        u.captured,
        u.chargeId,
        u.paymentMethodId,
        u.failureCode,
        u.failureMessage,
        u.eventCreatedAt,
        u.nextActionType,
        u.captureBefore ?? null,
        u.extendedAuthorization ?? null,
        u.incrementalAuthorization ?? null,
      ],
    );
  }

  /** An authorisation's new total (incremented at the provider right after). */
  async setAmount(paymentId: string, amount: number): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET amount_cents = $2, updated_at = now() WHERE id = $1`, [paymentId, amount]);
  }

  /** Our own verdict on an attempt that cannot go on (`failed` only if it never reached the provider). */
  async markFailed(paymentId: string, code: string): Promise<void> {
    await this.txHost.rows(
      `UPDATE payments SET status = CASE WHEN provider_intent_id IS NULL THEN 'failed' ELSE status END, failure_code = $2, updated_at = now()
        WHERE id = $1 AND status NOT IN ('succeeded', 'canceled', 'failed', 'requires_capture')`,
      [paymentId, code],
    );
  }

  async setFailure(paymentId: string, code: string, message: string): Promise<void> {
    await this.txHost.rows(`UPDATE payments SET failure_code = $2, failure_message = $3, updated_at = now() WHERE id = $1`, [
      paymentId,
      code,
      message,
    ]);
  }

  /**
   * Marks a payment as needing a person (the admin list of stuck payments) and keeps why.
   * The first reason stays: a later one is appended, so nothing an admin should read is
   * overwritten. Reconciliation skips stuck payments.
   */
  async markStuck(paymentId: string, reason: string): Promise<void> {
    await this.txHost.rows(
      `UPDATE payments SET stuck = true, updated_at = now(),
              stuck_reason = CASE WHEN stuck_reason IS NULL THEN $2
                                  WHEN position($2 in stuck_reason) > 0 THEN stuck_reason
                                  ELSE left(stuck_reason || '; ' || $2, 2000) END
        WHERE id = $1`,
      [paymentId, reason.slice(0, 1000)],
    );
  }

  /**
   * The payments and refunds of each reservation given, newest payment first, in ONE
   * query for a whole page of reservations.
   */
  async withRefundsFor(reservationIds: string[]): Promise<PaymentWithRefunds[]> {
    const rows = await this.txHost.rows<
      Pick<
        PaymentRow,
        | 'id'
        | 'reservation_id'
        | 'status'
        | 'amount_cents'
        | 'currency'
        | 'captured_cents'
        | 'refunded_cents'
        | 'provider_intent_id'
        | 'failure_code'
        | 'created_at'
        | 'purpose'
        | 'off_session'
      > & {
        refunds: {
          id: string;
          amount: number;
          status: RefundSummary['status'];
          reason: string | null;
          source: string;
          createdAt: string;
        }[];
      }
    >(
      `SELECT p.id, p.reservation_id, p.status, p.amount_cents, p.currency, p.captured_cents, p.refunded_cents,
              p.provider_intent_id, p.failure_code, p.created_at, p.purpose, p.off_session,
              COALESCE((SELECT json_agg(json_build_object('id', f.id, 'amount', f.amount_cents, 'status', f.status,
                                                          'reason', f.reason, 'source', f.source, 'createdAt', f.created_at)
                                        ORDER BY f.created_at, f.id)
                          FROM refunds f WHERE f.payment_id = p.id), '[]'::json) AS refunds
         FROM payments p
        WHERE p.reservation_id = ANY($1::uuid[])
        ORDER BY p.created_at DESC, p.id`,
      [reservationIds],
    );
    return rows.map((row) => ({
      reservationId: row.reservation_id,
      payment: {
        paymentId: row.id,
        status: row.status,
        amount: row.amount_cents,
        currency: row.currency.trim(),
        captured: row.captured_cents,
        refunded: row.refunded_cents,
        intentId: row.provider_intent_id,
        failureCode: row.failure_code,
        purpose: row.purpose,
        offSession: row.off_session,
        createdAt: row.created_at,
      },
      refunds: row.refunds.map((f): RefundSummary => ({
        refundId: f.id,
        paymentId: row.id,
        amount: f.amount,
        status: f.status,
        reason: f.reason,
        source: f.source,
        createdAt: new Date(f.createdAt),
      })),
    }));
  }
}
