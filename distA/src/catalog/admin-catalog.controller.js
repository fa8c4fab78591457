var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Body, Controller, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Idempotent } from '../../libs/idempotency/src/index.js';
import { Roles } from '../auth/auth.decorators.js';
import { CatalogService } from './catalog.service.js';
import { CreateOfferingDto } from './dto/create-offering.dto.js';
import { OfferingDto } from './dto/offering.dto.js';
import { UpdateOfferingDto } from './dto/update-offering.dto.js';
/** Catalog administration: admins only. */
let AdminCatalogController = class AdminCatalogController {
    constructor(catalog) {
        this.catalog = catalog;
    }
    create(body) {
        return this.catalog.create(body);
    }
    update(id, body) {
        return this.catalog.update(id, body);
    }
};
__decorate([
    Post(),
    Idempotent(),
    ApiOperation({
        summary: 'Create an offering',
        description: 'Prices in minor units. `pricingRules` discounts take exactly one of `percentOff` or `amountOff`.',
    }),
    ApiCreatedResponse({ type: OfferingDto }),
    ApiErrors('VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [CreateOfferingDto]),
    __metadata("design:returntype", Promise)
], AdminCatalogController.prototype, "create", null);
__decorate([
    Patch(':id'),
    ApiOperation({
        summary: 'Change an offering',
        description: 'Send only the fields to change; `kind` cannot change. `pricingRules` replaces the rules whole (`{}` removes them). ' +
            'Holds placed after the change use the new price; other replicas see it within 5 s.',
    }),
    ApiParam({ name: 'id', format: 'uuid' }),
    ApiOkResponse({ type: OfferingDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND'),
    __param(0, Param('id')),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, UpdateOfferingDto]),
    __metadata("design:returntype", Promise)
], AdminCatalogController.prototype, "update", null);
AdminCatalogController = __decorate([
    ApiTags('admin'),
    Roles('admin'),
    Controller('admin/offerings'),
    __metadata("design:paramtypes", [CatalogService])
], AdminCatalogController);
export { AdminCatalogController };
//# sourceMappingURL=admin-catalog.controller.js.map