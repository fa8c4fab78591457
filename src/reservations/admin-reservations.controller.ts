import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AdminListReservationsQueryDto, ReservationDto, ReservationListDto } from './dto/reservation.dto';
import { CreateShipmentDto } from './dto/shipping.dto';
import { ReservationQueries } from './reservation-queries';
import { ReservationShipping } from './reservation-shipping';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/reservations')
export class AdminReservationsController {
  constructor(
    private readonly queries: ReservationQueries,
    private readonly shipping: ReservationShipping,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Any user's reservations, with their payments and refunds, newest first",
    description:
      'Filters: `status` (the effective one: a hold past its time is expired), `userId` (the token subject), ' +
      '`from` / `to` (when the reservation was made, `from <= createdAt < to`). Paginated like `GET /v1/reservations`. ' +
      'Each reservation lists its payment attempts (`paymentId` is what `POST /v1/admin/payments/{paymentId}/refunds` ' +
      'takes) and refunds, and its `paymentStatus`.',
  })
  @ApiOkResponse({ type: ReservationListDto })
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  list(@Query() query: AdminListReservationsQueryDto): Promise<ReservationListDto> {
    return this.queries.adminList(query);
  }

  @Post(':id/shipments')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: "Mark a confirmed order's goods shipped, and email the customer the tracking number",
    description:
      'Once per order: the same carrier and tracking number again changes nothing; a different shipment is refused ' +
      '(409 INVALID_HOLD_STATUS). Until it is shipped, a cancellation within the refund window refunds the shipping too.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'FORBIDDEN',
    'RESERVATION_NOT_FOUND',
    'INVALID_HOLD_STATUS',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  ship(@Param('id') id: string, @Body() body: CreateShipmentDto, @CurrentUser() admin: AuthUser): Promise<ReservationDto> {
    return this.shipping.ship(admin, id, body.carrier, body.trackingNumber);
  }
}
