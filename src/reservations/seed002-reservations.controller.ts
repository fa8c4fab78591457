import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent, IdempotencyKey, type IdempotentRequest } from '@holdfast/idempotency';
import { SEED_002_PREFIX, SEED_002_TAG } from '../config/api-paths';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { RateLimit } from '../protection/rate-limit.decorators';
import { ReservationDto } from './dto/reservation.dto';
import { Seed002ReservationRequestDto, Seed002ReservationResponseDto } from './dto/seed002.dto';
import { ReservationQueries } from './reservation-queries';
import { GET_RESERVATION_DOC } from './reservations.controller';
import { Seed002Bookings } from './seed002-bookings.service';

/**
 * Seed 002's mobile app paths for bookings (DESIGN.md section 12), served at exactly
 * `/api/reservations` and `/api/reservations/{id}` (no /v1 prefix: see config/api-paths.ts),
 * over the same services as `/v1/reservations`.
 */
@ApiTags(SEED_002_TAG)
@Controller(`${SEED_002_PREFIX}/reservations`)
export class Seed002ReservationsController {
  constructor(
    private readonly bookings: Seed002Bookings,
    private readonly queries: ReservationQueries,
  ) {}

  @Post()
  @RateLimit('hold')
  @HttpCode(200)
  @Idempotent({ required: true, mode: 'handler' })
  @ApiOperation({
    summary: 'Book a vehicle in one call: hold it and pay with a saved card',
    description:
      '`POST /v1/reservations/hold` for one vehicle and `POST /v1/reservations/hold/convert` with a saved card, in one ' +
      "call: the customer's verification is checked, a unit is held for the dates, and the price plus the offering's " +
      'deposit is authorised on the card, which is kept for the charges after the return. A declined card answers ' +
      '400 PAYMENT_CARD_DECLINED and keeps the hold: the same call with another card and a NEW key pays on that hold ' +
      '(same reservation id, same hold timer). The same key and body replay the first answer.',
  })
  @ApiOkResponse({ type: Seed002ReservationResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'NOT_FOUND',
    'PAYMENT_METHOD_NOT_FOUND',
    'CUSTOMER_NOT_VERIFIED',
    'CUSTOMER_VERIFICATION_UNAVAILABLE',
    'NOT_ENOUGH_CAPACITY',
    'INVENTORY_UNAVAILABLE',
    'HOLD_EXPIRED',
    'INVALID_HOLD_STATUS',
    'PAYMENT_CARD_DECLINED',
    'PAYMENT_PROCESSING_FAILED',
    'IDEMPOTENCY_KEY_REQUIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: Seed002ReservationRequestDto,
    @IdempotencyKey() keyed: IdempotentRequest,
  ): Promise<Seed002ReservationResponseDto> {
    return this.bookings.book(user, body, keyed);
  }

  @Get(':id')
  @ApiOperation({ ...GET_RESERVATION_DOC, description: 'As `GET /v1/reservations/{id}`.' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors('RESERVATION_NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ReservationDto> {
    return this.queries.get(user, id);
  }
}
