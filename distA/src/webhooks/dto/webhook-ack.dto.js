var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
/** The answer to a delivered event: any 2xx tells Stripe not to send it again. */
export class WebhookAckDto {
}
__decorate([
    ApiProperty({ example: true, enum: [true] }),
    __metadata("design:type", Boolean)
], WebhookAckDto.prototype, "received", void 0);
__decorate([
    ApiPropertyOptional({ example: true }),
    __metadata("design:type", Boolean)
], WebhookAckDto.prototype, "duplicate", void 0);
//# sourceMappingURL=webhook-ack.dto.js.map