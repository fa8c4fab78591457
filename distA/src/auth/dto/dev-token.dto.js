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
import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
export class DevTokenRequestDto {
}
__decorate([
    ApiProperty({ example: 'alice', description: 'The user id the token is for (its `sub`).' }),
    IsString(),
    MinLength(1),
    MaxLength(128),
    __metadata("design:type", String)
], DevTokenRequestDto.prototype, "sub", void 0);
__decorate([
    ApiPropertyOptional({ example: ['admin'], description: 'Roles, carried as `cognito:groups`.', type: [String] }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(10),
    IsString({ each: true }),
    Matches(/^[a-z][a-z0-9_-]{0,31}$/, { each: true, message: 'each role must be a lower-case name' }),
    __metadata("design:type", Array)
], DevTokenRequestDto.prototype, "roles", void 0);
__decorate([
    ApiPropertyOptional({ example: 'alice@example.com' }),
    IsOptional(),
    IsEmail(),
    __metadata("design:type", String)
], DevTokenRequestDto.prototype, "email", void 0);
export class DevTokenResponseDto {
}
__decorate([
    ApiProperty({ description: 'A bearer token: send it as `Authorization: Bearer <token>`.' }),
    __metadata("design:type", String)
], DevTokenResponseDto.prototype, "accessToken", void 0);
__decorate([
    ApiProperty({ example: 'Bearer' }),
    __metadata("design:type", String)
], DevTokenResponseDto.prototype, "tokenType", void 0);
__decorate([
    ApiProperty({ example: 86400, description: 'Seconds until the token expires.' }),
    __metadata("design:type", Number)
], DevTokenResponseDto.prototype, "expiresIn", void 0);
//# sourceMappingURL=dev-token.dto.js.map