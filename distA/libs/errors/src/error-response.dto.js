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
import { ERROR_CODES } from './error-codes.js';
export class ErrorDetailDto {
}
__decorate([
    ApiProperty({ example: 'numberOfGuests', description: 'Path of the offending field.' }),
    __metadata("design:type", String)
], ErrorDetailDto.prototype, "field", void 0);
__decorate([
    ApiProperty({ example: 'numberOfGuests must not be less than 1' }),
    __metadata("design:type", String)
], ErrorDetailDto.prototype, "message", void 0);
/** The body of every error response. */
export class ErrorResponseDto {
}
__decorate([
    ApiProperty({ enum: ERROR_CODES, example: 'VALIDATION_FAILED', description: 'Stable machine-readable code.' }),
    __metadata("design:type", String)
], ErrorResponseDto.prototype, "error", void 0);
__decorate([
    ApiProperty({ example: 'The request is not valid', description: 'Human-readable text; may change.' }),
    __metadata("design:type", String)
], ErrorResponseDto.prototype, "message", void 0);
__decorate([
    ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, for VALIDATION_FAILED.' }),
    __metadata("design:type", Array)
], ErrorResponseDto.prototype, "details", void 0);
__decorate([
    ApiProperty({ example: '9b2f3c1e-4d0a-4f3e-9a51-0c7f1b6e2d11', description: 'Echoes X-Request-Id; quote it to support.' }),
    __metadata("design:type", String)
], ErrorResponseDto.prototype, "requestId", void 0);
//# sourceMappingURL=error-response.dto.js.map