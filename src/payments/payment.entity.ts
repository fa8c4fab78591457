import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { INTENT_STATUSES } from './stripe-model';

/**
 * Our side of a payment attempt. Statuses mirror a PaymentIntent's, plus `creating`
 * (our row exists, the provider call has not answered yet) and `failed`:
 * creating -> requires_payment_method | requires_action | processing | requires_capture | succeeded | canceled | failed.
 * Each attempt on a hold is a new row, so its id is a fresh idempotency key.
 */
export const PAYMENT_STATUSES = ['creating', ...INTENT_STATUSES, 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What a payment is for (DESIGN.md section 4): provider events are routed by it. */
export const PAYMENT_PURPOSES = ['booking', 'renewal', 'fine'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];

@Entity({ name: 'payments' })
@Check(
  'chk_payments_amounts',
  `"amount_cents" > 0 AND "captured_cents" >= 0 AND "refunded_cents" >= 0 AND "refunded_cents" <= "captured_cents"`,
)
@Check('chk_payments_capture_method', `"capture_method" IN ('automatic', 'manual')`)
@Check('chk_payments_purpose', `"purpose" IN ('booking', 'renewal', 'fine')`)
@Index('idx_payments_reservation', ['reservationId'])
@Index('idx_payments_pending', ['updatedAt'], { where: `"status" NOT IN ('succeeded', 'canceled', 'failed')` })
@Index('idx_payments_captured_created', ['currency', 'createdAt'], { where: `"captured_cents" > 0` })
export class PaymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The reservation paid for (opaque to payments: no foreign key, payments does not depend on reservations). */
  @Column({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_intent_id', type: 'text', nullable: true, unique: true })
  providerIntentId!: string | null;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'captured_cents', type: 'integer', default: 0 })
  capturedCents!: number;

  @Column({ name: 'refunded_cents', type: 'integer', default: 0 })
  refundedCents!: number;

  @Column({ name: 'capture_method', type: 'text' })
  captureMethod!: 'automatic' | 'manual';

  @Column({ name: 'client_secret', type: 'text', nullable: true })
  clientSecret!: string | null;

  @Column({ name: 'charge_id', type: 'text', nullable: true })
  chargeId!: string | null;

  @Column({ name: 'payment_method_id', type: 'text', nullable: true })
  paymentMethodId!: string | null;

  /** `next_action.type` while the attempt is in requires_action (`use_stripe_sdk`, `redirect_to_url`, ...), else null. */
  @Column({ name: 'next_action_type', type: 'text', nullable: true })
  nextActionType!: string | null;

  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode!: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage!: string | null;

  /** An authorisation to release at the provider (its reservation could not be kept). */
  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested!: boolean;

  /**
   * Needs a person: set when a payment cannot be repaired automatically (reconciliation
   * cannot find or re-create its intent, the provider refused a refund for good, or the
   * provider reports other money than this row's amount and currency).
   */
  @Column({ type: 'boolean', default: false })
  stuck!: boolean;

  /** Why it is stuck, for the admin list; null when not stuck or marked before reasons were kept. */
  @Column({ name: 'stuck_reason', type: 'text', nullable: true })
  stuckReason!: string | null;

  /**
   * The `created` time of the newest provider event applied to this payment: an event
   * older than it that would move the payment between non-final states is out of date
   * (webhooks arrive in any order) and changes nothing. Provider reads (sync) do not move it.
   */
  @Column({ name: 'provider_event_at', type: 'timestamptz', nullable: true })
  providerEventAt!: Date | null;

  /** Reconciliation's lease on this row while it asks the provider (docs/operations.md, "Jobs on many replicas"). */
  @Column({ name: 'reconcile_claimed_until', type: 'timestamptz', nullable: true })
  reconcileClaimedUntil!: Date | null;

  /** The release flush's lease on this row while it cancels the authorisation at the provider. */
  @Column({ name: 'release_claimed_until', type: 'timestamptz', nullable: true })
  releaseClaimedUntil!: Date | null;

  @Column({ type: 'text', default: 'booking' })
  purpose!: PaymentPurpose;

  /** The attempt was made while the customer was away (a scheduled authorisation, a renewal, a fine). */
  @Column({ name: 'off_session', type: 'boolean', default: false })
  offSession!: boolean;

  @Column({ name: 'capture_before', type: 'timestamptz', nullable: true })
  captureBefore!: Date | null;

  @Column({ name: 'extended_authorization', type: 'text', nullable: true })
  extendedAuthorization!: string | null;

  @Column({ name: 'incremental_authorization', type: 'text', nullable: true })
  incrementalAuthorization!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
