var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
/**
 * A completed idempotent request: its key, a hash of what was asked, and the response
 * to replay. Written in the same transaction as the request's effect, so a key exists
 * exactly when its effect does.
 */
let IdempotencyKeyEntity = class IdempotencyKeyEntity {
};
__decorate([
    PrimaryColumn({ type: 'text' }),
    __metadata("design:type", String)
], IdempotencyKeyEntity.prototype, "scope", void 0);
__decorate([
    PrimaryColumn({ type: 'text' }),
    __metadata("design:type", String)
], IdempotencyKeyEntity.prototype, "key", void 0);
__decorate([
    Column({ name: 'request_hash', type: 'text' }),
    __metadata("design:type", String)
], IdempotencyKeyEntity.prototype, "requestHash", void 0);
__decorate([
    Column({ type: 'text', default: 'completed' }),
    __metadata("design:type", String)
], IdempotencyKeyEntity.prototype, "state", void 0);
__decorate([
    Column({ name: 'response_status', type: 'int', nullable: true }),
    __metadata("design:type", Object)
], IdempotencyKeyEntity.prototype, "responseStatus", void 0);
__decorate([
    Column({ name: 'response_body', type: 'jsonb', nullable: true }),
    __metadata("design:type", Object)
], IdempotencyKeyEntity.prototype, "responseBody", void 0);
__decorate([
    Column({ name: 'locked_at', type: 'timestamptz', nullable: true }),
    __metadata("design:type", Object)
], IdempotencyKeyEntity.prototype, "lockedAt", void 0);
__decorate([
    CreateDateColumn({ name: 'created_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], IdempotencyKeyEntity.prototype, "createdAt", void 0);
__decorate([
    Column({ name: 'expires_at', type: 'timestamptz' }),
    __metadata("design:type", Date)
], IdempotencyKeyEntity.prototype, "expiresAt", void 0);
IdempotencyKeyEntity = __decorate([
    Entity({ name: 'idempotency_keys' }),
    Index('idx_idempotency_keys_expires_at', ['expiresAt'])
], IdempotencyKeyEntity);
export { IdempotencyKeyEntity };
//# sourceMappingURL=idempotency-key.entity.js.map