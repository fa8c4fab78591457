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
/** Stock of one SKU of a product. Available = on_hand - held - sold. */
let StockItemEntity = class StockItemEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], StockItemEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'offering_id', type: 'uuid' }),
    __metadata("design:type", String)
], StockItemEntity.prototype, "offeringId", void 0);
__decorate([
    ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'offering_id' }),
    __metadata("design:type", OfferingEntity)
], StockItemEntity.prototype, "offering", void 0);
__decorate([
    Column({ type: 'text', unique: true }),
    __metadata("design:type", String)
], StockItemEntity.prototype, "sku", void 0);
__decorate([
    Column({ name: 'on_hand', type: 'integer' }),
    __metadata("design:type", Number)
], StockItemEntity.prototype, "onHand", void 0);
__decorate([
    Column({ type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], StockItemEntity.prototype, "held", void 0);
__decorate([
    Column({ type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], StockItemEntity.prototype, "sold", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], StockItemEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], StockItemEntity.prototype, "updatedAt", void 0);
StockItemEntity = __decorate([
    Entity({ name: 'stock_items' }),
    Check('chk_stock_items_counters', `"held" >= 0 AND "sold" >= 0 AND "held" + "sold" <= "on_hand"`),
    Index('idx_stock_items_offering', ['offeringId'])
], StockItemEntity);
export { StockItemEntity };
//# sourceMappingURL=stock-item.entity.js.map