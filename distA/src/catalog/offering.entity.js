var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
export const OFFERING_KINDS = ['experience', 'product', 'rental'];
/** Something that can be booked: an experience, a product or a rental (DESIGN.md section 1). */
let OfferingEntity = class OfferingEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], OfferingEntity.prototype, "id", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], OfferingEntity.prototype, "kind", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], OfferingEntity.prototype, "title", void 0);
__decorate([
    Column({ type: 'text', default: '' }),
    __metadata("design:type", String)
], OfferingEntity.prototype, "description", void 0);
__decorate([
    Column({ type: 'char', length: 3 }),
    __metadata("design:type", String)
], OfferingEntity.prototype, "currency", void 0);
__decorate([
    Column({ name: 'base_price_cents', type: 'integer' }),
    __metadata("design:type", Number)
], OfferingEntity.prototype, "basePriceCents", void 0);
__decorate([
    Column({ type: 'boolean', default: true }),
    __metadata("design:type", Boolean)
], OfferingEntity.prototype, "active", void 0);
__decorate([
    Column({ name: 'pricing_rules', type: 'jsonb', default: () => `'{}'` }),
    __metadata("design:type", Object)
], OfferingEntity.prototype, "pricingRules", void 0);
__decorate([
    Column({ name: 'refundable_until_hours', type: 'integer', nullable: true }),
    __metadata("design:type", Object)
], OfferingEntity.prototype, "refundableUntilHours", void 0);
__decorate([
    Column({ type: 'jsonb', default: () => `'[]'` }),
    __metadata("design:type", Array)
], OfferingEntity.prototype, "images", void 0);
__decorate([
    Column({ type: 'jsonb', default: () => `'{}'` }),
    __metadata("design:type", Object)
], OfferingEntity.prototype, "attributes", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], OfferingEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], OfferingEntity.prototype, "updatedAt", void 0);
OfferingEntity = __decorate([
    Entity({ name: 'offerings' }),
    Check('chk_offerings_kind', `"kind" IN ('experience', 'product', 'rental')`),
    Check('chk_offerings_base_price', `"base_price_cents" >= 0`),
    Index('idx_offerings_kind_active', ['kind', 'active'])
], OfferingEntity);
export { OfferingEntity };
//# sourceMappingURL=offering.entity.js.map