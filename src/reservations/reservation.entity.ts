import type { AppliedDiscounts } from '../catalog/pricing';
import type { ShippingAddress } from '../shipping/shipping.types';

/** A shipping address as stored on the reservation. */
export type ShippingAddressRecord = ShippingAddress;
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const RESERVATION_STATUSES = [
  'held',
  'pending',
  'payment_failed',
  'confirmed',
  'cancelled',
  'refunded',
  'completed',
  'expired',
] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * A user's booking, from hold to its end. States (DESIGN.md section 4):
 * held -> pending -> confirmed -> cancelled | refunded | completed; held|pending -> expired;
 * pending -> payment_failed -> pending.
 */
@Entity({ name: 'reservations' })
@Check(
  'chk_reservations_status',
  `"status" IN ('held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired')`,
)
@Check(
  'chk_reservations_amounts',
  `"original_cents" >= 0 AND "discount_cents" >= 0 AND COALESCE("shipping_cents", 0) >= 0 AND "tax_cents" >= 0 AND "total_cents" = "original_cents" - "discount_cents" + COALESCE("shipping_cents", 0) + "tax_cents"`,
)
@Index('idx_reservations_user_created', ['userId', 'createdAt'])
@Index('idx_reservations_created_id', ['createdAt', 'id'])
@Index('idx_reservations_hold_expiry', ['holdExpiresAt'], { where: `"status" IN ('held', 'pending', 'payment_failed')` })
@Index('idx_reservations_flagged', ['flaggedAt'], { where: `"flagged_at" IS NOT NULL` })
export class ReservationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The token's `sub`. */
  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  status!: ReservationStatus;

  @Column({ name: 'hold_expires_at', type: 'timestamptz' })
  holdExpiresAt!: Date;

  @Column({ name: 'guest_name', type: 'text' })
  guestName!: string;

  @Column({ name: 'guest_email', type: 'text' })
  guestEmail!: string;

  @Column({ name: 'guest_phone', type: 'text', nullable: true })
  guestPhone!: string | null;

  @Column({ name: 'special_requests', type: 'text', nullable: true })
  specialRequests!: string | null;

  @Column({ name: 'original_cents', type: 'integer' })
  originalCents!: number;

  @Column({ name: 'discount_cents', type: 'integer' })
  discountCents!: number;

  @Column({ name: 'total_cents', type: 'integer' })
  totalCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'applied_discounts', type: 'jsonb' })
  appliedDiscounts!: AppliedDiscounts;

  /** 12-character booking reference, set on confirmation. */
  @Column({ type: 'text', nullable: true, unique: true })
  reference!: string | null;

  /** Why the reservation reached its state (e.g. HOLD_EXPIRED, USER_CANCELLED). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  /** The expiry sweep's lease on a pending reservation while it cancels its intents at the provider. */
  @Column({ name: 'sweep_claimed_until', type: 'timestamptz', nullable: true })
  sweepClaimedUntil!: Date | null;

  /** Where the goods go (DESIGN.md section 11); null until a rate is chosen, and for what is not shipped. */
  @Column({ name: 'shipping_address', type: 'jsonb', nullable: true })
  shippingAddress!: ShippingAddressRecord | null;

  @Column({ name: 'shipping_rate_id', type: 'uuid', nullable: true })
  shippingRateId!: string | null;

  @Column({ name: 'shipping_carrier', type: 'text', nullable: true })
  shippingCarrier!: string | null;

  @Column({ name: 'shipping_service', type: 'text', nullable: true })
  shippingService!: string | null;

  @Column({ name: 'shipping_estimated_days', type: 'integer', nullable: true })
  shippingEstimatedDays!: number | null;

  /** The chosen rate's amount; null until one is chosen (then part of `total_cents`). */
  @Column({ name: 'shipping_cents', type: 'integer', nullable: true })
  shippingCents!: number | null;

  @Column({ name: 'tax_cents', type: 'integer', default: 0 })
  taxCents!: number;

  /** The tax rate applied, an exact decimal string (`"0.0825"`). */
  @Column({ name: 'tax_rate', type: 'text', nullable: true })
  taxRate!: string | null;

  /** The tax came from the fallback table (or a stale rate): the provider did not answer. */
  @Column({ name: 'tax_estimated', type: 'boolean', default: false })
  taxEstimated!: boolean;

  @Column({ name: 'shipped_at', type: 'timestamptz', nullable: true })
  shippedAt!: Date | null;

  @Column({ name: 'shipment_carrier', type: 'text', nullable: true })
  shipmentCarrier!: string | null;

  @Column({ name: 'tracking_number', type: 'text', nullable: true })
  trackingNumber!: string | null;

  /** Why an admin must look at it (e.g. `vehicle_displaced`: maintenance took its vehicle and none was free), else null. */
  @Column({ name: 'attention_reason', type: 'text', nullable: true })
  attentionReason!: string | null;

  /** When it was flagged for an admin, else null. */
  @Column({ name: 'flagged_at', type: 'timestamptz', nullable: true })
  flaggedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
