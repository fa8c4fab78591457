import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A card the user saved with the provider; we keep only what the app displays. */
@Entity({ name: 'saved_payment_methods' })
@Index('uq_saved_payment_methods_user_pm', ['userId', 'providerPaymentMethodId'], { unique: true })
@Index('uq_saved_payment_methods_default', ['userId'], { unique: true, where: `"is_default"` })
export class SavedPaymentMethodEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ name: 'provider_payment_method_id', type: 'text' })
  providerPaymentMethodId!: string;

  @Column({ type: 'text', default: 'card' })
  type!: string;

  @Column({ type: 'text' })
  brand!: string;

  @Column({ type: 'text' })
  last4!: string;

  @Column({ name: 'exp_month', type: 'integer' })
  expMonth!: number;

  @Column({ name: 'exp_year', type: 'integer' })
  expYear!: number;

  @Column({ type: 'text', nullable: true })
  nickname!: string | null;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
