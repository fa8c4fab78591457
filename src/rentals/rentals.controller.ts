import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, type ErrorCode } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { RentalDto } from './dto/rental.dto';
import { RentalReturnService } from './rental-return.service';
import { RentalsService } from './rentals.service';

/** The return form, for Swagger: multipart, streamed to the object store. */
export const RETURN_FORM = {
  schema: {
    type: 'object',
    required: ['photos', 'odometerKm', 'energyLevelPercent', 'latitude', 'longitude'],
    properties: {
      photos: {
        type: 'array',
        items: { type: 'string', format: 'binary' },
        minItems: 4,
        description: 'JPEG, PNG or HEIC; 10 MB each, 40 MB in all',
      },
      odometerKm: { type: 'integer', minimum: 0, example: 48_650 },
      energyLevelPercent: { type: 'integer', minimum: 0, maximum: 100, example: 70 },
      latitude: { type: 'number', minimum: -90, maximum: 90, example: 48.8566 },
      longitude: { type: 'number', minimum: -180, maximum: 180, example: 2.3522 },
      notes: { type: 'string', maxLength: 2000 },
    },
  },
};

export const UNLOCK_DOC = {
  summary: 'Unlock the rented vehicle',
  description:
    'The renter only, from 30 minutes before pickup to the return time, while the booking is confirmed with ' +
    '`paymentStatus: authorized` and the vehicle is neither in maintenance nor out of service. The first unlock starts ' +
    "the rental (`rentalStatus: in_progress`) with telematics' odometer and energy level as the pickup reading; later " +
    'unlocks open the vehicle again. Idempotent by `X-Idempotency-Key`.',
};

export const RETURN_DOC = {
  summary: 'Return the vehicle with proof (multipart)',
  description:
    'At least 4 photos (JPEG, PNG or HEIC, recognised by their bytes; 10 MB each, 40 MB in all), streamed to the ' +
    "object store with their sha256, and the readings. Telematics' readings at lock time win over the customer's. " +
    'The return is assessed by the agreed policy: late fee per started hour after a 30-minute grace, refuelling per ' +
    'missing percent, distance over the allowance; what the policy cannot price (readings missing or contradicting ' +
    'telematics, more than a day late) is `return_disputed` and waits for an admin, the undisputed price captured ' +
    'meanwhile. Settlement (capture up to what is due, the rest charged off-session) follows in the background.',
};

/** The errors of unlock and return, shared with seed 002's `/api/rentals/...` paths (seed002-rentals.controller.ts). */
export const UNLOCK_ERRORS = [
  'RESERVATION_NOT_FOUND',
  'INVALID_RENTAL_STATUS',
  'VEHICLE_UNAVAILABLE',
  'UNLOCK_FAILED',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
] as const satisfies readonly ErrorCode[];

export const RETURN_ERRORS = [
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'RESERVATION_NOT_FOUND',
  'INVALID_RENTAL_STATUS',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
] as const satisfies readonly ErrorCode[];

/** Vehicle rentals for the renter (DESIGN.md section 12): `{id}` is the reservation id. */
@ApiTags('rentals')
@Controller('rentals')
export class RentalsController {
  constructor(
    private readonly rentals: RentalsService,
    private readonly returns: RentalReturnService,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: 'A vehicle rental: state, readings, proofs, fines and money' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors('RESERVATION_NOT_FOUND')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RentalDto> {
    return this.rentals.view(await this.rentals.rentalFor(user, id), user);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation(UNLOCK_DOC)
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors(...UNLOCK_ERRORS)
  async unlock(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RentalDto> {
    return this.rentals.view(await this.rentals.unlock(user, id), user);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation(RETURN_DOC)
  @ApiConsumes('multipart/form-data')
  @ApiBody(RETURN_FORM)
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors(...RETURN_ERRORS)
  async return(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() request: Request): Promise<RentalDto> {
    return this.rentals.view(await this.returns.submit(user, id, request), user);
  }
}
