import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One provider customer per user, created on first need. */
@Entity({ name: 'payment_customers' })
export class PaymentCustomerEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_customer_id', type: 'text', unique: true })
  providerCustomerId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
