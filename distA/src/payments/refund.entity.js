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
import { PaymentEntity } from './payment.entity.js';
/** A refund, written as our own row (pending) before the provider is called with its id as idempotency key. */
let RefundEntity = class RefundEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], RefundEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'payment_id', type: 'uuid' }),
    __metadata("design:type", String)
], RefundEntity.prototype, "paymentId", void 0);
__decorate([
    ManyToOne(() => PaymentEntity, { onDelete: 'RESTRICT' }),
    JoinColumn({ name: 'payment_id' }),
    __metadata("design:type", Object)
], RefundEntity.prototype, "payment", void 0);
__decorate([
    Column({ name: 'provider_refund_id', type: 'text', nullable: true, unique: true }),
    __metadata("design:type", Object)
], RefundEntity.prototype, "providerRefundId", void 0);
__decorate([
    Column({ name: 'amount_cents', type: 'integer' }),
    __metadata("design:type", Number)
], RefundEntity.prototype, "amountCents", void 0);
__decorate([
    Column({ type: 'text', nullable: true }),
    __metadata("design:type", Object)
], RefundEntity.prototype, "reason", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], RefundEntity.prototype, "source", void 0);
__decorate([
    Column({ type: 'text', default: 'pending' }),
    __metadata("design:type", String)
], RefundEntity.prototype, "status", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], RefundEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], RefundEntity.prototype, "updatedAt", void 0);
RefundEntity = __decorate([
    Entity({ name: 'refunds' }),
    Check('chk_refunds_amount', `"amount_cents" > 0`),
    Check('chk_refunds_status', `"status" IN ('pending', 'succeeded', 'failed')`),
    Index('idx_refunds_payment', ['paymentId'])
], RefundEntity);
export { RefundEntity };
//# sourceMappingURL=refund.entity.js.map