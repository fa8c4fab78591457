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

export const UNIT_STATUSES = ['available', 'maintenance', 'retired'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** One rentable thing (a carrier, a van) of a rental offering. */
@Entity({ name: 'rental_units' })
@Check('chk_rental_units_status', `"status" IN ('available', 'maintenance', 'retired')`)
@Index('idx_rental_units_offering', ['offeringId'])
export class RentalUnitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'offering_id', type: 'uuid' })
  offeringId!: string;

  @ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id' })
  offering?: OfferingEntity;

  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'text', default: 'available' })
  status!: UnitStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
