var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OfferingEntity } from '../catalog/offering.entity.js';
import { TimeSlotEntity } from '../inventory/time-slot.entity.js';
import { ReservationEntity } from './reservation.entity.js';
/** One line of a reservation: an offering, what of it (slot, SKU or date range), how many, at what price. */
let ReservationItemEntity = class ReservationItemEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], ReservationItemEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'reservation_id', type: 'uuid' }),
    __metadata("design:type", String)
], ReservationItemEntity.prototype, "reservationId", void 0);
__decorate([
    ManyToOne(() => ReservationEntity, { onDelete: 'CASCADE' }),
    JoinColumn({ name: 'reservation_id' }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "reservation", void 0);
__decorate([
    Column({ name: 'offering_id', type: 'uuid' }),
    __metadata("design:type", String)
], ReservationItemEntity.prototype, "offeringId", void 0);
__decorate([
    ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'offering_id' }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "offering", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], ReservationItemEntity.prototype, "kind", void 0);
__decorate([
    Column({ name: 'time_slot_id', type: 'uuid', nullable: true }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "timeSlotId", void 0);
__decorate([
    ManyToOne(() => TimeSlotEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'time_slot_id' }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "timeSlot", void 0);
__decorate([
    Column({ type: 'text', nullable: true }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "sku", void 0);
__decorate([
    Column({ name: 'start_date', type: 'date', nullable: true }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "startDate", void 0);
__decorate([
    Column({ name: 'end_date', type: 'date', nullable: true }),
    __metadata("design:type", Object)
], ReservationItemEntity.prototype, "endDate", void 0);
__decorate([
    Column({ type: 'integer' }),
    __metadata("design:type", Number)
], ReservationItemEntity.prototype, "quantity", void 0);
__decorate([
    Column({ name: 'unit_price_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationItemEntity.prototype, "unitPriceCents", void 0);
__decorate([
    Column({ name: 'original_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationItemEntity.prototype, "originalCents", void 0);
__decorate([
    Column({ name: 'discount_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationItemEntity.prototype, "discountCents", void 0);
__decorate([
    Column({ name: 'total_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationItemEntity.prototype, "totalCents", void 0);
ReservationItemEntity = __decorate([
    Entity({ name: 'reservation_items' }),
    Index('idx_reservation_items_reservation', ['reservationId'])
], ReservationItemEntity);
export { ReservationItemEntity };
//# sourceMappingURL=reservation-item.entity.js.map