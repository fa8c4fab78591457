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
} from 'typeorm';
import { OfferingEntity } from '../catalog/offering.entity';

export const SLOT_STATUSES = ['open', 'closed', 'cancelled'] as const;
export type SlotStatus = (typeof SLOT_STATUSES)[number];

/**
 * A dated session of an experience with a capacity. `held` and `booked` are counters
 * kept equal to the sum of live allocations by InventoryRepository alone; the CHECK
 * makes overselling impossible even if code were wrong.
 */
@Entity({ name: 'time_slots' })
@Check('chk_time_slots_counters', `"held" >= 0 AND "booked" >= 0 AND "held" + "booked" <= "capacity"`)
@Check('chk_time_slots_status', `"status" IN ('open', 'closed', 'cancelled')`)
@Check('chk_time_slots_range', `"ends_at" > "starts_at"`)
@Index('idx_time_slots_offering_starts', ['offeringId', 'startsAt'])
export class TimeSlotEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'offering_id', type: 'uuid' })
  offeringId!: string;

  @ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id' })
  offering?: OfferingEntity;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'integer' })
  capacity!: number;

  @Column({ type: 'integer', default: 0 })
  held!: number;

  @Column({ type: 'integer', default: 0 })
  booked!: number;

  @Column({ type: 'text', default: 'open' })
  status!: SlotStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
