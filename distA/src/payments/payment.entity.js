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
/**
 * Our side of a payment attempt. Statuses mirror a PaymentIntent's, plus `creating`
 * (our row exists, the provider call has not answered yet) and `failed`:
 * creating -> requires_payment_method | requires_action | processing | requires_capture | succeeded | canceled | failed.
 * Each attempt on a hold is a new row, so its id is a fresh idempotency key.
 */
export const PAYMENT_STATUSES = [
    'creating',
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
    'failed',
];
let PaymentEntity = class PaymentEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], PaymentEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'reservation_id', type: 'uuid' }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "reservationId", void 0);
__decorate([
    Column({ name: 'user_id', type: 'text' }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "userId", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "provider", void 0);
__decorate([
    Column({ name: 'provider_intent_id', type: 'text', nullable: true, unique: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "providerIntentId", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "status", void 0);
__decorate([
    Column({ name: 'amount_cents', type: 'integer' }),
    __metadata("design:type", Number)
], PaymentEntity.prototype, "amountCents", void 0);
__decorate([
    Column({ type: 'char', length: 3 }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "currency", void 0);
__decorate([
    Column({ name: 'captured_cents', type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], PaymentEntity.prototype, "capturedCents", void 0);
__decorate([
    Column({ name: 'refunded_cents', type: 'integer', default: 0 }),
    __metadata("design:type", Number)
], PaymentEntity.prototype, "refundedCents", void 0);
__decorate([
    Column({ name: 'capture_method', type: 'text' }),
    __metadata("design:type", String)
], PaymentEntity.prototype, "captureMethod", void 0);
__decorate([
    Column({ name: 'client_secret', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "clientSecret", void 0);
__decorate([
    Column({ name: 'charge_id', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "chargeId", void 0);
__decorate([
    Column({ name: 'payment_method_id', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "paymentMethodId", void 0);
__decorate([
    Column({ name: 'failure_code', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "failureCode", void 0);
__decorate([
    Column({ name: 'failure_message', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], PaymentEntity.prototype, "failureMessage", void 0);
__decorate([
    Column({ name: 'cancel_requested', type: 'boolean', default: false }),
    __metadata("design:type", Boolean)
], PaymentEntity.prototype, "cancelRequested", void 0);
__decorate([
    Column({ type: 'boolean', default: false }),
    __metadata("design:type", Boolean)
], PaymentEntity.prototype, "stuck", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], PaymentEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], PaymentEntity.prototype, "updatedAt", void 0);
PaymentEntity = __decorate([
    Entity({ name: 'payments' }),
    Check('chk_payments_amounts', `"amount_cents" > 0 AND "captured_cents" >= 0 AND "refunded_cents" >= 0 AND "refunded_cents" <= "captured_cents"`),
    Check('chk_payments_capture_method', `"capture_method" IN ('automatic', 'manual')`),
    Index('idx_payments_reservation', ['reservationId']),
    Index('idx_payments_pending', ['updatedAt'], { where: `"status" NOT IN ('succeeded', 'canceled', 'failed')` })
], PaymentEntity);
export { PaymentEntity };
//# sourceMappingURL=payment.entity.js.map