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
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Public } from '../auth/auth.decorators.js';
import { CatalogService } from './catalog.service.js';
import { ListOfferingsQueryDto } from './dto/list-offerings-query.dto.js';
import { OfferingDto, OfferingListDto } from './dto/offering.dto.js';
/** Public browsing of the catalog: no token needed. */
let CatalogController = class CatalogController {
    constructor(catalog) {
        this.catalog = catalog;
    }
    list(query) {
        return this.catalog.list(query);
    }
    get(id) {
        return this.catalog.get(id);
    }
};
__decorate([
    Get(),
    ApiOperation({
        summary: 'Browse active offerings',
        description: 'Active offerings only, newest first, with their price (minor units) and pricing rules. Filter by `kind`, search titles with `q`.',
    }),
    ApiOkResponse({ type: OfferingListDto }),
    ApiErrors('VALIDATION_FAILED'),
    __param(0, Query()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [ListOfferingsQueryDto]),
    __metadata("design:returntype", Promise)
], CatalogController.prototype, "list", null);
__decorate([
    Get(':id'),
    ApiOperation({
        summary: 'Get one offering with its pricing rules',
        description: 'Inactive offerings are returned too, with `orderable: false`.',
    }),
    ApiParam({ name: 'id', format: 'uuid' }),
    ApiOkResponse({ type: OfferingDto }),
    ApiErrors('NOT_FOUND'),
    __param(0, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String]),
    __metadata("design:returntype", Promise)
], CatalogController.prototype, "get", null);
CatalogController = __decorate([
    ApiTags('catalog'),
    Public(),
    Controller('catalog/offerings'),
    __metadata("design:paramtypes", [CatalogService])
], CatalogController);
export { CatalogController };
//# sourceMappingURL=catalog.controller.js.map