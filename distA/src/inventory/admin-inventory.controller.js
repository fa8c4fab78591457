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
import { Body, Controller, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Idempotent } from '../../libs/idempotency/src/index.js';
import { Roles } from '../auth/auth.decorators.js';
import { InvariantsReportDto } from './dto/invariants.dto.js';
import { CreateRentalUnitDto, RentalUnitDto } from './dto/rental-unit.dto.js';
import { PutStockDto, StockItemDto } from './dto/stock.dto.js';
import { CreateTimeSlotDto, TimeSlotDto, UpdateTimeSlotDto } from './dto/time-slot.dto.js';
import { InventoryAdminService } from './inventory-admin.service.js';
import { InvariantsService } from './invariants.service.js';
/** Inventory administration: time slots, stock, rental units, and the invariant audit. Admins only. */
let AdminInventoryController = class AdminInventoryController {
    constructor(inventory, invariants) {
        this.inventory = inventory;
        this.invariants = invariants;
    }
    createSlot(offeringId, body) {
        return this.inventory.createSlot(offeringId, body);
    }
    updateSlot(slotId, body) {
        return this.inventory.updateSlot(slotId, body);
    }
    putStock(offeringId, body) {
        return this.inventory.putStock(offeringId, body.items);
    }
    createUnit(offeringId, body) {
        return this.inventory.createUnit(offeringId, body);
    }
    async checkInvariants() {
        const violations = await this.invariants.checkInvariants();
        return { ok: violations.length === 0, violations };
    }
};
__decorate([
    Post('offerings/:id/time-slots'),
    Idempotent(),
    ApiOperation({
        summary: 'Add a time slot to an experience',
        description: 'Times in ISO 8601 with a zone; the slot opens for holds at once.',
    }),
    ApiParam({ name: 'id', format: 'uuid', description: 'The experience offering.' }),
    ApiCreatedResponse({ type: TimeSlotDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, Param('id')),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, CreateTimeSlotDto]),
    __metadata("design:returntype", Promise)
], AdminInventoryController.prototype, "createSlot", null);
__decorate([
    Patch('time-slots/:id'),
    ApiOperation({
        summary: "Change a time slot's capacity, status or times",
        description: 'Send only what changes. The capacity can never go below the places already held or booked (400). ' +
            'Closing or cancelling a slot stops new holds; existing reservations are not touched.',
    }),
    ApiParam({ name: 'id', format: 'uuid' }),
    ApiOkResponse({ type: TimeSlotDto }),
    ApiErrors('VALIDATION_FAILED', 'TIME_SLOT_NOT_FOUND'),
    __param(0, Param('id')),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, UpdateTimeSlotDto]),
    __metadata("design:returntype", Promise)
], AdminInventoryController.prototype, "updateSlot", null);
__decorate([
    Put('offerings/:id/stock'),
    ApiOperation({
        summary: "Set a product's stock by SKU",
        description: 'Creates or updates each listed SKU (others are left alone); all or nothing. A SKU of another offering, or an ' +
            '`onHand` below the units already held or sold, fails the request with each problem in `details`. ' +
            "Returns the offering's whole stock list.",
    }),
    ApiParam({ name: 'id', format: 'uuid', description: 'The product offering.' }),
    ApiOkResponse({ type: [StockItemDto] }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND'),
    __param(0, Param('id')),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, PutStockDto]),
    __metadata("design:returntype", Promise)
], AdminInventoryController.prototype, "putStock", null);
__decorate([
    Post('offerings/:id/units'),
    Idempotent(),
    ApiOperation({ summary: 'Add a unit to a rental offering' }),
    ApiParam({ name: 'id', format: 'uuid', description: 'The rental offering.' }),
    ApiCreatedResponse({ type: RentalUnitDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, Param('id')),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, CreateRentalUnitDto]),
    __metadata("design:returntype", Promise)
], AdminInventoryController.prototype, "createUnit", null);
__decorate([
    Get('invariants'),
    ApiOperation({
        summary: 'Audit the inventory invariants',
        description: 'Checks that slot and stock counters stay within capacity and equal the allocation ledger, and that no rental ' +
            'unit is allocated twice for overlapping periods (DESIGN.md section 9, items 1 and 2).',
    }),
    ApiOkResponse({ type: InvariantsReportDto }),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", Promise)
], AdminInventoryController.prototype, "checkInvariants", null);
AdminInventoryController = __decorate([
    ApiTags('admin'),
    Roles('admin'),
    Controller('admin'),
    __metadata("design:paramtypes", [InventoryAdminService,
        InvariantsService])
], AdminInventoryController);
export { AdminInventoryController };
//# sourceMappingURL=admin-inventory.controller.js.map