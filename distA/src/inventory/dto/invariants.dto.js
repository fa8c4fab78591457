var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty } from '@nestjs/swagger';
export class InvariantViolationDto {
}
__decorate([
    ApiProperty({ example: 'slot.held_matches_ledger', description: 'Which rule is broken.' }),
    __metadata("design:type", String)
], InvariantViolationDto.prototype, "invariant", void 0);
__decorate([
    ApiProperty({ example: 'time_slot:0b7f3c1e-4d0a-4f3e-9a51-0c7f1b6e2d11', description: '`<table row kind>:<id>`.' }),
    __metadata("design:type", String)
], InvariantViolationDto.prototype, "resource", void 0);
__decorate([
    ApiProperty({ example: 'held is 3 but its held allocations add up to 2' }),
    __metadata("design:type", String)
], InvariantViolationDto.prototype, "detail", void 0);
/** The result of checking DESIGN.md section 9, invariants 1 and 2. */
export class InvariantsReportDto {
}
__decorate([
    ApiProperty({ example: true, description: 'True when nothing is violated.' }),
    __metadata("design:type", Boolean)
], InvariantsReportDto.prototype, "ok", void 0);
__decorate([
    ApiProperty({ type: [InvariantViolationDto] }),
    __metadata("design:type", Array)
], InvariantsReportDto.prototype, "violations", void 0);
//# sourceMappingURL=invariants.dto.js.map