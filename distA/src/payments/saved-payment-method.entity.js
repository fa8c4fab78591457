var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
/** A card the user saved with the provider; we keep only what the app displays. */
let SavedPaymentMethodEntity = class SavedPaymentMethodEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'user_id', type: 'text' }),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "userId", void 0);
__decorate([
    Column({ name: 'provider_payment_method_id', type: 'text' }),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "providerPaymentMethodId", void 0);
__decorate([
    Column({ type: 'text', default: 'card' }),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "type", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "brand", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], SavedPaymentMethodEntity.prototype, "last4", void 0);
__decorate([
    Column({ name: 'exp_month', type: 'integer' }),
    __metadata("design:type", Number)
], SavedPaymentMethodEntity.prototype, "expMonth", void 0);
__decorate([
    Column({ name: 'exp_year', type: 'integer' }),
    __metadata("design:type", Number)
], SavedPaymentMethodEntity.prototype, "expYear", void 0);
__decorate([
    Column({ type: 'text', nullable: true }),
    __metadata("design:type", Object)
], SavedPaymentMethodEntity.prototype, "nickname", void 0);
__decorate([
    Column({ name: 'is_default', type: 'boolean', default: false }),
    __metadata("design:type", Boolean)
], SavedPaymentMethodEntity.prototype, "isDefault", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], SavedPaymentMethodEntity.prototype, "createdAt", void 0);
SavedPaymentMethodEntity = __decorate([
    Entity({ name: 'saved_payment_methods' }),
    Index('uq_saved_payment_methods_user_pm', ['userId', 'providerPaymentMethodId'], { unique: true }),
    Index('uq_saved_payment_methods_default', ['userId'], { unique: true, where: `"is_default"` })
], SavedPaymentMethodEntity);
export { SavedPaymentMethodEntity };
//# sourceMappingURL=saved-payment-method.entity.js.map