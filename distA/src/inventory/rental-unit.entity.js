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
export const UNIT_STATUSES = ['available', 'maintenance', 'retired'];
/** One rentable thing (a carrier, a van) of a rental offering. */
let RentalUnitEntity = class RentalUnitEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], RentalUnitEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'offering_id', type: 'uuid' }),
    __metadata("design:type", String)
], RentalUnitEntity.prototype, "offeringId", void 0);
__decorate([
    ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'offering_id' }),
    __metadata("design:type", OfferingEntity)
], RentalUnitEntity.prototype, "offering", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], RentalUnitEntity.prototype, "label", void 0);
__decorate([
    Column({ type: 'text', default: 'available' }),
    __metadata("design:type", String)
], RentalUnitEntity.prototype, "status", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], RentalUnitEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], RentalUnitEntity.prototype, "updatedAt", void 0);
RentalUnitEntity = __decorate([
    Entity({ name: 'rental_units' }),
    Check('chk_rental_units_status', `"status" IN ('available', 'maintenance', 'retired')`),
    Index('idx_rental_units_offering', ['offeringId'])
], RentalUnitEntity);
export { RentalUnitEntity };
//# sourceMappingURL=rental-unit.entity.js.map