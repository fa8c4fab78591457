import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Roles } from '../auth/auth.decorators';
import { AdminListReservationsQueryDto, ReservationListDto } from './dto/reservation.dto';
import { ReservationQueries } from './reservation-queries';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/reservations')
export class AdminReservationsController {
  constructor(private readonly queries: ReservationQueries) {}

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
}
