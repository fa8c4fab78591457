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
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Public } from '../auth/auth.decorators.js';
import { AvailabilityService } from './availability.service.js';
import { AvailabilityQueryDto, ExperienceAvailabilityDto, ProductAvailabilityDto, RentalAvailabilityDto, } from './dto/availability.dto.js';
/** What is left to book, for the public catalog. */
let AvailabilityController = class AvailabilityController {
    constructor(availability) {
        this.availability = availability;
    }
    get(offeringId, query) {
        return this.availability.forOffering(offeringId, query);
    }
};
__decorate([
    Get(':id/availability'),
    ApiOperation({
        summary: "An offering's availability: slots with places left, stock left, or free rental units",
        description: 'By kind: `experience` lists open slots starting in `[from, to)` (not yet started), earliest first, with places ' +
            'left; `product` lists stock left per SKU (the window does not apply); `rental` says which units are free for the ' +
            'whole of `[from, to)`. Default window: now to 30 days later; at most 366 days.',
    }),
    ApiParam({ name: 'id', format: 'uuid' }),
    ApiOkResponse({
        schema: {
            oneOf: [
                { $ref: getSchemaPath(ExperienceAvailabilityDto) },
                { $ref: getSchemaPath(ProductAvailabilityDto) },
                { $ref: getSchemaPath(RentalAvailabilityDto) },
            ],
            discriminator: { propertyName: 'kind' },
        },
    }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND'),
    __param(0, Param('id')),
    __param(1, Query()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, AvailabilityQueryDto]),
    __metadata("design:returntype", Promise)
], AvailabilityController.prototype, "get", null);
AvailabilityController = __decorate([
    ApiTags('catalog'),
    Public(),
    Controller('catalog/offerings'),
    ApiExtraModels(ExperienceAvailabilityDto, ProductAvailabilityDto, RentalAvailabilityDto),
    __metadata("design:paramtypes", [AvailabilityService])
], AvailabilityController);
export { AvailabilityController };
//# sourceMappingURL=availability.controller.js.map