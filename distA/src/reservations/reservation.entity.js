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
export const RESERVATION_STATUSES = [
    'held',
    'pending',
    'payment_failed',
    'confirmed',
    'cancelled',
    'refunded',
    'completed',
    'expired',
];
/**
 * A user's booking, from hold to its end. States (DESIGN.md section 4):
 * held -> pending -> confirmed -> cancelled | refunded | completed; held|pending -> expired;
 * pending -> payment_failed -> pending.
 */
let ReservationEntity = class ReservationEntity {
};
__decorate([
    PrimaryGeneratedColumn('uuid'),
    __metadata("design:type", String)
], ReservationEntity.prototype, "id", void 0);
__decorate([
    Column({ name: 'user_id', type: 'text' }),
    __metadata("design:type", String)
], ReservationEntity.prototype, "userId", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], ReservationEntity.prototype, "status", void 0);
__decorate([
    Column({ name: 'hold_expires_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], ReservationEntity.prototype, "holdExpiresAt", void 0);
__decorate([
    Column({ name: 'guest_name', type: 'text' }),
    __metadata("design:type", String)
], ReservationEntity.prototype, "guestName", void 0);
__decorate([
    Column({ name: 'guest_email', type: 'text' }),
    __metadata("design:type", String)
], ReservationEntity.prototype, "guestEmail", void 0);
__decorate([
    Column({ name: 'guest_phone', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], ReservationEntity.prototype, "guestPhone", void 0);
__decorate([
    Column({ name: 'special_requests', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], ReservationEntity.prototype, "specialRequests", void 0);
__decorate([
    Column({ name: 'original_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationEntity.prototype, "originalCents", void 0);
__decorate([
    Column({ name: 'discount_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationEntity.prototype, "discountCents", void 0);
__decorate([
    Column({ name: 'total_cents', type: 'integer' }),
    __metadata("design:type", Number)
], ReservationEntity.prototype, "totalCents", void 0);
__decorate([
    Column({ type: 'char', length: 3 }),
    __metadata("design:type", String)
], ReservationEntity.prototype, "currency", void 0);
__decorate([
    Column({ name: 'applied_discounts', type: 'jsonb' }),
    __metadata("design:type", Object)
], ReservationEntity.prototype, "appliedDiscounts", void 0);
__decorate([
    Column({ type: 'text', nullable: true, unique: true }),
    __metadata("design:type", Object)
], ReservationEntity.prototype, "reference", void 0);
__decorate([
    Column({ name: 'status_reason', type: 'text', nullable: true }),
    __metadata("design:type", Object)
], ReservationEntity.prototype, "statusReason", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], ReservationEntity.prototype, "createdAt", void 0);
__decorate([
    UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], ReservationEntity.prototype, "updatedAt", void 0);
ReservationEntity = __decorate([
    Entity({ name: 'reservations' }),
    Check('chk_reservations_status', `"status" IN ('held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired')`),
    Check('chk_reservations_amounts', `"original_cents" >= 0 AND "discount_cents" >= 0 AND "total_cents" = "original_cents" - "discount_cents"`),
    Index('idx_reservations_user_created', ['userId', 'createdAt']),
    Index('idx_reservations_hold_expiry', ['holdExpiresAt'], { where: `"status" IN ('held', 'pending', 'payment_failed')` })
], ReservationEntity);
export { ReservationEntity };
//# sourceMappingURL=reservation.entity.js.map