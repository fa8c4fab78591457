var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Check, Column, CreateDateColumn, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, } from 'typeorm';
import { RentalUnitEntity } from './rental-unit.entity.js';
import { StockItemEntity } from './stock-item.entity.js';
import { TimeSlotEntity } from './time-slot.entity.js';
export const ALLOCATION_STATES = ['held', 'committed', 'released'];
/**
 * The inventory ledger: one row per reservation item per resource. Live rows (held or
 * committed) add up to the counters on time_slots and stock_items; a rental unit's live
 * rows never overlap in time, which the exclusion constraint enforces in the database.
 * `reservationId` is an opaque holder id to inventory (no foreign key: inventory does
 * not depend on reservations).
 */
let AllocationEntity = class AllocationEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], AllocationEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'reservation_id', type: 'uuid' }),
    __metadata("design:type", String)
], AllocationEntity.prototype, "reservationId", void 0);
__decorate([
    Column({ name: 'reservation_item_id', type: 'uuid' }),
    __metadata("design:type", String)
], AllocationEntity.prototype, "reservationItemId", void 0);
__decorate([
    Column({ name: 'resource_type', type: 'text' }),
    __metadata("design:type", String)
], AllocationEntity.prototype, "resourceType", void 0);
__decorate([
    Column({ name: 'time_slot_id', type: 'uuid', nullable: true }),
    __metadata("design:type", Object)
], AllocationEntity.prototype, "timeSlotId", void 0);
__decorate([
    ManyToOne(() => TimeSlotEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'time_slot_id' }),
    __metadata("design:type", TimeSlotEntity)
], AllocationEntity.prototype, "timeSlot", void 0);
__decorate([
    Column({ name: 'stock_item_id', type: 'uuid', nullable: true }),
    __metadata("design:type", Object)
], AllocationEntity.prototype, "stockItemId", void 0);
__decorate([
    ManyToOne(() => StockItemEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'stock_item_id' }),
    __metadata("design:type", StockItemEntity)
], AllocationEntity.prototype, "stockItem", void 0);
__decorate([
    Column({ name: 'unit_id', type: 'uuid', nullable: true }),
    __metadata("design:type", Object)
], AllocationEntity.prototype, "unitId", void 0);
__decorate([
    ManyToOne(() => RentalUnitEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'unit_id' }),
    __metadata("design:type", RentalUnitEntity)
], AllocationEntity.prototype, "unit", void 0);
__decorate([
    Column({ type: 'integer' }),
    __metadata("design:type", Number)
], AllocationEntity.prototype, "quantity", void 0);
__decorate([
    Column({ type: 'tstzrange', nullable: true }),
    __metadata("design:type", Object)
], AllocationEntity.prototype, "period", void 0);
__decorate([
    Column({ type: 'text', default: 'held' }),
    __metadata("design:type", String)
], AllocationEntity.prototype, "state", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], AllocationEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], AllocationEntity.prototype, "updatedAt", void 0);
AllocationEntity = __decorate([
    Entity({ name: 'allocations' }),
    Check('chk_allocations_state', `"state" IN ('held', 'committed', 'released')`),
    Check('chk_allocations_quantity', `"quantity" > 0`),
    Check('chk_allocations_resource', `("resource_type" = 'slot' AND "time_slot_id" IS NOT NULL AND "stock_item_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'sku' AND "stock_item_id" IS NOT NULL AND "time_slot_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'unit' AND "unit_id" IS NOT NULL AND "period" IS NOT NULL AND "time_slot_id" IS NULL AND "stock_item_id" IS NULL AND "quantity" = 1)`),
    Exclusion('excl_allocations_unit_period', `USING gist ("unit_id" WITH =, "period" WITH &&) WHERE ("state" <> 'released')`),
    Index('idx_allocations_reservation', ['reservationId']),
    Index('idx_allocations_time_slot_live', ['timeSlotId'], { where: `"state" <> 'released'` }),
    Index('idx_allocations_stock_item_live', ['stockItemId'], { where: `"state" <> 'released'` })
], AllocationEntity);
export { AllocationEntity };
//# sourceMappingURL=allocation.entity.js.map