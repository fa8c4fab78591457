import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Exclusion,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { RentalUnitEntity } from './rental-unit.entity';
import { StockItemEntity } from './stock-item.entity';
import { TimeSlotEntity } from './time-slot.entity';

export const ALLOCATION_STATES = ['held', 'committed', 'released'] as const;
export type AllocationState = (typeof ALLOCATION_STATES)[number];
export type ResourceType = 'slot' | 'sku' | 'unit';
export type AllocationPurpose = 'booking' | 'maintenance';
export type AllocationReleaseReason = 'displaced' | 'cancelled' | 'superseded';

/**
 * The inventory ledger: one row per reservation item per resource. Live rows (held or
 * committed) add up to the counters on time_slots and stock_items; a rental unit's live
 * rows never overlap in time, which the exclusion constraint enforces in the database.
 * `reservationId` is an opaque holder id to inventory (no foreign key: inventory does
 * not depend on reservations).
 */
@Entity({ name: 'allocations' })
@Check('chk_allocations_state', `"state" IN ('held', 'committed', 'released')`)
@Check('chk_allocations_quantity', `"quantity" > 0`)
@Check(
  'chk_allocations_resource',
  `("resource_type" = 'slot' AND "time_slot_id" IS NOT NULL AND "stock_item_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'sku' AND "stock_item_id" IS NOT NULL AND "time_slot_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'unit' AND "unit_id" IS NOT NULL AND "period" IS NOT NULL AND "time_slot_id" IS NULL AND "stock_item_id" IS NULL AND "quantity" = 1)`,
)
@Check(
  'chk_allocations_purpose',
  `("purpose" = 'booking' AND "reservation_id" IS NOT NULL AND "reservation_item_id" IS NOT NULL AND "maintenance_id" IS NULL)
   OR ("purpose" = 'maintenance' AND "reservation_id" IS NULL AND "reservation_item_id" IS NULL AND "maintenance_id" IS NOT NULL AND "resource_type" = 'unit')`,
)
@Check(
  'chk_allocations_release_reason',
  `"release_reason" IS NULL OR ("state" = 'released' AND "release_reason" IN ('displaced', 'cancelled', 'superseded'))`,
)
// Bookings never overlap bookings; maintenance never overlaps a booking (DESIGN.md invariant 7).
@Exclusion(
  'excl_allocations_unit_period',
  `USING gist ("unit_id" WITH =, "period" WITH &&) WHERE ("state" <> 'released' AND "resource_type" = 'unit' AND "purpose" = 'booking')`,
)
@Exclusion(
  'excl_allocations_unit_maintenance',
  `USING gist ("unit_id" WITH =, "period" WITH &&, "purpose" WITH <>) WHERE ("state" <> 'released' AND "resource_type" = 'unit')`,
)
@Index('uq_allocations_live_maintenance', ['maintenanceId'], { unique: true, where: `"state" <> 'released'` })
@Index('idx_allocations_reservation', ['reservationId'])
@Index('idx_allocations_unit_item', ['reservationItemId'], { where: `"resource_type" = 'unit'` })
@Index('idx_allocations_time_slot_live', ['timeSlotId'], { where: `"state" <> 'released'` })
@Index('idx_allocations_stock_item_live', ['stockItemId'], { where: `"state" <> 'released'` })
export class AllocationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** `booking` (a reservation item's) or `maintenance` (a fleet block: no reservation). */
  @Column({ type: 'text', default: 'booking' })
  purpose!: AllocationPurpose;

  /** Null for maintenance blocks. */
  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId!: string | null;

  @Column({ name: 'reservation_item_id', type: 'uuid', nullable: true })
  reservationItemId!: string | null;

  /** The fleet's maintenance id (maintenance blocks only). */
  @Column({ name: 'maintenance_id', type: 'text', nullable: true })
  maintenanceId!: string | null;

  /** Why the fleet blocks the unit (maintenance blocks only). */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Why a row was released when it was not the holder's doing: `displaced`, `cancelled`, `superseded`. */
  @Column({ name: 'release_reason', type: 'text', nullable: true })
  releaseReason!: AllocationReleaseReason | null;

  @Column({ name: 'resource_type', type: 'text' })
  resourceType!: ResourceType;

  @Column({ name: 'time_slot_id', type: 'uuid', nullable: true })
  timeSlotId!: string | null;

  @ManyToOne(() => TimeSlotEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'time_slot_id' })
  timeSlot?: TimeSlotEntity;

  @Column({ name: 'stock_item_id', type: 'uuid', nullable: true })
  stockItemId!: string | null;

  @ManyToOne(() => StockItemEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'stock_item_id' })
  stockItem?: StockItemEntity;

  @Column({ name: 'unit_id', type: 'uuid', nullable: true })
  unitId!: string | null;

  @ManyToOne(() => RentalUnitEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id' })
  unit?: RentalUnitEntity;

  @Column({ type: 'integer' })
  quantity!: number;

  /** The rental period `[start, end)`, for units only. */
  @Column({ type: 'tstzrange', nullable: true })
  period!: string | null;

  @Column({ type: 'text', default: 'held' })
  state!: AllocationState;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
