import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { PaymentEntity } from './payment.entity';

/** A refund, written as our own row (pending) before the provider is called with its id as idempotency key. */
@Entity({ name: 'refunds' })
@Check('chk_refunds_amount', `"amount_cents" > 0`)
@Check('chk_refunds_status', `"status" IN ('pending', 'succeeded', 'failed')`)
@Index('idx_refunds_payment', ['paymentId'])
@Index('idx_refunds_succeeded_created', ['createdAt'], { where: `"status" = 'succeeded'` })
export class RefundEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @ManyToOne(() => PaymentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'payment_id' })
  payment?: Relation<PaymentEntity>;

  @Column({ name: 'provider_refund_id', type: 'text', nullable: true, unique: true })
  providerRefundId!: string | null;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents!: number;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** admin | cancellation | hold_expired | provider (made in the provider's dashboard) */
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: 'pending' | 'succeeded' | 'failed';

  /** A flush's lease on this pending refund while it is sent to the provider (docs/operations.md, "Jobs on many replicas"). */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
