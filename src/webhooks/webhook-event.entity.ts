import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every provider event we accepted (signature valid), keyed by the provider's event id,
 * so a duplicate delivery is acknowledged and ignored. `pending` events name a payment
 * we do not know yet and are applied when it appears; `unprocessable` ones were signed but
 * carry an object that cannot be applied (null, no id...) and are kept with the reason.
 */
@Entity({ name: 'webhook_events' })
@Index('idx_webhook_events_pending', ['receivedAt'], { where: `"status" = 'pending'` })
export class WebhookEventEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  payload!: object;

  /** processed | pending | ignored | unprocessable (signed, but its object cannot be applied: see `error`) */
  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
