import { Body, Controller, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { InvariantsReportDto } from './dto/invariants.dto';
import { CreateRentalUnitDto, RentalUnitDto, SetFleetStatusDto } from './dto/rental-unit.dto';
import { PutStockDto, StockItemDto } from './dto/stock.dto';
import { CreateTimeSlotDto, TimeSlotDto, UpdateTimeSlotDto } from './dto/time-slot.dto';
import { InventoryAdminService } from './inventory-admin.service';
import { InvariantsService } from './invariants.service';

/** Inventory administration: time slots, stock, rental units, and the invariant audit. Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin')
export class AdminInventoryController {
  constructor(
    private readonly inventory: InventoryAdminService,
    private readonly invariants: InvariantsService,
  ) {}

  @Post('offerings/:id/time-slots')
  @Idempotent()
  @ApiOperation({
    summary: 'Add a time slot to an experience',
    description: 'Times in ISO 8601 with a zone; the slot opens for holds at once.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The experience offering.' })
  @ApiCreatedResponse({ type: TimeSlotDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS')
  createSlot(
    @Param('id') offeringId: string,
    @Body() body: CreateTimeSlotDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<TimeSlotDto> {
    return this.inventory.createSlot(offeringId, body, admin.sub);
  }

  @Patch('time-slots/:id')
  @ApiOperation({
    summary: "Change a time slot's capacity, status or times",
    description:
      'Send only what changes. The capacity can never go below the places already held or booked (400). ' +
      'Closing or cancelling a slot stops new holds; existing reservations are not touched.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TimeSlotDto })
  @ApiErrors('VALIDATION_FAILED', 'TIME_SLOT_NOT_FOUND')
  updateSlot(@Param('id') slotId: string, @Body() body: UpdateTimeSlotDto, @CurrentUser() admin: AuthUser): Promise<TimeSlotDto> {
    return this.inventory.updateSlot(slotId, body, admin.sub);
  }

  @Put('offerings/:id/stock')
  @ApiOperation({
    summary: "Set a product's stock by SKU",
    description:
      'Creates or updates each listed SKU (others are left alone); all or nothing. A SKU of another offering, or an ' +
      '`onHand` below the units already held or sold, fails the request with each problem in `details`. ' +
      "Returns the offering's whole stock list.",
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The product offering.' })
  @ApiOkResponse({ type: [StockItemDto] })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  putStock(@Param('id') offeringId: string, @Body() body: PutStockDto, @CurrentUser() admin: AuthUser): Promise<StockItemDto[]> {
    return this.inventory.putStock(offeringId, body.items, admin.sub);
  }

  @Post('offerings/:id/units')
  @Idempotent()
  @ApiOperation({
    summary: 'Add a unit to a rental offering',
    description:
      'A unit of a vehicle offering needs `plate`, `model`, `seats` and `energy`; its `fleetVehicleId` (the fleet ' +
      "management service's id, unique) defaults to the plate. Units of other rentals take no vehicle fields.",
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The rental offering.' })
  @ApiCreatedResponse({ type: RentalUnitDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS')
  createUnit(
    @Param('id') offeringId: string,
    @Body() body: CreateRentalUnitDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<RentalUnitDto> {
    return this.inventory.createUnit(offeringId, body, admin.sub);
  }

  @Get('offerings/:id/units')
  @ApiOperation({
    summary: "List a rental offering's units",
    description: 'Every unit, retired ones included, by label, with its admin status and, for vehicles, its fleet fields.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The rental offering.' })
  @ApiOkResponse({ type: [RentalUnitDto] })
  @ApiErrors('NOT_FOUND')
  listUnits(@Param('id') offeringId: string): Promise<RentalUnitDto[]> {
    return this.inventory.listUnits(offeringId);
  }

  @Put('rental-units/:unitId/fleet-status')
  @ApiOperation({
    summary: "Set a rental unit's fleet status",
    description:
      '`available`, `in_use`, `maintenance` or `out_of_service` (DESIGN.md section 12; the fleet management service ' +
      'feeds it too). A unit in `maintenance` or `out_of_service` is never held; its existing holds and bookings are ' +
      'kept. Audited.',
  })
  @ApiParam({ name: 'unitId', format: 'uuid' })
  @ApiOkResponse({ type: RentalUnitDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  setFleetStatus(
    @Param('unitId') unitId: string,
    @Body() body: SetFleetStatusDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<RentalUnitDto> {
    return this.inventory.setFleetStatus(unitId, body.status, admin.sub);
  }

  @Get('invariants')
  @ApiOperation({
    summary: 'Audit the inventory invariants',
    description:
      'Checks that slot and stock counters stay within capacity and equal the allocation ledger, and that no rental ' +
      'unit is allocated twice for overlapping periods (DESIGN.md section 9, items 1 and 2).',
  })
  @ApiOkResponse({ type: InvariantsReportDto })
  async checkInvariants(): Promise<InvariantsReportDto> {
    const violations = await this.invariants.checkInvariants();
    return { ok: violations.length === 0, violations };
  }
}
