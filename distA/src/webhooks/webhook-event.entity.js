var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
/**
 * Every provider event we accepted (signature valid), keyed by the provider's event id,
 * so a duplicate delivery is acknowledged and ignored. `pending` events name a payment
 * we do not know yet and are applied when it appears.
 */
let WebhookEventEntity = class WebhookEventEntity {
};
__decorate([
    PrimaryColumn({ type: 'text' }),
    __metadata("design:type", String)
], WebhookEventEntity.prototype, "id", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], WebhookEventEntity.prototype, "type", void 0);
__decorate([
    Column({ type: 'jsonb' }),
    __metadata("design:type", Object)
], WebhookEventEntity.prototype, "payload", void 0);
__decorate([
    Column({ type: 'text' }),
    __metadata("design:type", String)
], WebhookEventEntity.prototype, "status", void 0);
__decorate([
    Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' }),
    __metadata("design:type", Date)
], WebhookEventEntity.prototype, "receivedAt", void 0);
__decorate([
    Column({ name: 'processed_at', type: 'timestamptz', nullable: true }),
    __metadata("design:type", Object)
], WebhookEventEntity.prototype, "processedAt", void 0);
__decorate([
    Column({ type: 'text', nullable: true }),
    __metadata("design:type", Object)
], WebhookEventEntity.prototype, "error", void 0);
WebhookEventEntity = __decorate([
    Entity({ name: 'webhook_events' }),
    Index('idx_webhook_events_pending', ['receivedAt'], { where: `"status" = 'pending'` })
], WebhookEventEntity);
export { WebhookEventEntity };
//# sourceMappingURL=webhook-event.entity.js.map