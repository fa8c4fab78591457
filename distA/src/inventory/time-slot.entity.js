var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, } from 'typeorm';
import { OfferingEntity } from '../catalog/offering.entity.js';
export const SLOT_STATUSES = ['open', 'closed', 'cancelled'];
/**
 * A dated session of an experience with a capacity. `held` and `booked` are counters
 * kept equal to the sum of live allocations by InventoryRepository alone; the CHECK
 * makes overselling impossible even if code were wrong.
 */
let TimeSlotEntity = class TimeSlotEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], TimeSlotEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'offering_id', type: 'uuid' }),
    __metadata("design:type", String)
], TimeSlotEntity.prototype, "offeringId", void 0);
__decorate([
    ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'offering_id' }),
    __metadata("design:type", OfferingEntity)
], TimeSlotEntity.prototype, "offering", void 0);
__decorate([
    Column({ name: 'starts_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], TimeSlotEntity.prototype, "startsAt", void 0);
__decorate([
    Column({ name: 'ends_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], TimeSlotEntity.prototype, "endsAt", void 0);
__decorate([
    Column({ type: 'integer' }),
    __metadata("design:type", Number)
], TimeSlotEntity.prototype, "capacity", void 0);
__decorate([
    Column({ type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], TimeSlotEntity.prototype, "held", void 0);
__decorate([
    Column({ type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], TimeSlotEntity.prototype, "booked", void 0);
__decorate([
    Column({ type: 'text', default: 'open' }),
    __metadata("design:type", String)
], TimeSlotEntity.prototype, "status", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], TimeSlotEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], TimeSlotEntity.prototype, "updatedAt", void 0);
TimeSlotEntity = __decorate([
    Entity({ name: 'time_slots' }),
    Check('chk_time_slots_counters', `"held" >= 0 AND "booked" >= 0 AND "held" + "booked" <= "capacity"`),
    Check('chk_time_slots_status', `"status" IN ('open', 'closed', 'cancelled')`),
    Check('chk_time_slots_range', `"ends_at" > "starts_at"`),
    Index('idx_time_slots_offering_starts', ['offeringId', 'startsAt'])
], TimeSlotEntity);
export { TimeSlotEntity };
//# sourceMappingURL=time-slot.entity.js.map