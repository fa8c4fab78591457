import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { OfferingEntity } from '../catalog/offering.entity';
import { TimeSlotEntity } from '../inventory/time-slot.entity';
import { ReservationEntity } from './reservation.entity';

/** One line of a reservation: an offering, what of it (slot, SKU or date range), how many, at what price. */
@Entity({ name: 'reservation_items' })
@Index('idx_reservation_items_reservation', ['reservationId'])
export class ReservationItemEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @ManyToOne(() => ReservationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reservation_id' })
  reservation?: Relation<ReservationEntity>;

  @Column({ name: 'offering_id', type: 'uuid' })
  offeringId!: string;

  @ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id' })
  offering?: Relation<OfferingEntity>;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'time_slot_id', type: 'uuid', nullable: true })
  timeSlotId!: string | null;

  @ManyToOne(() => TimeSlotEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'time_slot_id' })
  timeSlot?: Relation<TimeSlotEntity>;

  @Column({ type: 'text', nullable: true })
  sku!: string | null;

  @Column({ name: 'start_date', type: 'date', nullable: true })
  startDate!: string | null;

  @Column({ name: 'end_date', type: 'date', nullable: true })
  endDate!: string | null;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'unit_price_cents', type: 'integer' })
  unitPriceCents!: number;

  @Column({ name: 'original_cents', type: 'integer' })
  originalCents!: number;

  @Column({ name: 'discount_cents', type: 'integer' })
  discountCents!: number;

  @Column({ name: 'total_cents', type: 'integer' })
  totalCents!: number;
}
