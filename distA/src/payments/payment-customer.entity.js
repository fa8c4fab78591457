var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
/** One provider customer per user, created on first need. */
let PaymentCustomerEntity = class PaymentCustomerEntity {
};
__decorate([
    PrimaryColumn({ name: 'user_id', type: 'text' }),
    __metadata("design:type", String)
], PaymentCustomerEntity.prototype, "userId", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], PaymentCustomerEntity.prototype, "provider", void 0);
__decorate([
    Column({ name: 'provider_customer_id', type: 'text', unique: true }),
    __metadata("design:type", String)
], PaymentCustomerEntity.prototype, "providerCustomerId", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], PaymentCustomerEntity.prototype, "createdAt", void 0);
PaymentCustomerEntity = __decorate([
    Entity({ name: 'payment_customers' })
], PaymentCustomerEntity);
export { PaymentCustomerEntity };
//# sourceMappingURL=payment-customer.entity.js.map