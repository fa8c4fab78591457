import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { ListReservationsQueryDto, ReservationDto, ReservationListDto } from './dto/reservation.dto';
import { ReservationQueries } from './reservation-queries';
import { ReservationsService } from './reservations.service';

@ApiTags('reservations')
@Controller('reservations')
export class ReservationsController {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly queries: ReservationQueries,
  ) {}

  @Post('hold')
  @HttpCode(200)
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Hold places, stock or a rental unit for 15 minutes',
    description:
      'Seed form `{experienceId, timeSlotId, numberOfGuests, guest...}` or general form `{items: [...], guest...}`. ' +
      'Prices the hold (group and early-bird discounts, each on the original price) and takes the inventory, all or nothing.',
  })
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'TIME_SLOT_NOT_FOUND',
    'TIME_SLOT_NOT_AVAILABLE',
    'NOT_ENOUGH_CAPACITY',
    'NOT_FOUND',
    'IDEMPOTENCY_KEY_REQUIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  hold(@CurrentUser() user: AuthUser, @Body() body: HoldRequestDto): Promise<HoldResponseDto> {
    return this.reservations.hold(user, body);
  }

  @Get()
  @ApiOperation({ summary: "List the user's reservations (admins: everyone's), newest first" })
  @ApiOkResponse({ type: ReservationListDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ListReservationsQueryDto): Promise<ReservationListDto> {
    return this.queries.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One reservation, with its items, offering and time slot' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors('RESERVATION_NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ReservationDto> {
    return this.queries.get(user, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Cancel a hold and give its inventory back' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors(
    'RESERVATION_NOT_FOUND',
    'HOLD_EXPIRED',
    'INVALID_HOLD_STATUS',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  async cancel(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ReservationDto> {
    await this.reservations.cancel(user, id);
    return this.queries.get(user, id);
  }
}
