import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { pageOf } from '@holdfast/pagination';
import { Roles } from '../auth/auth.decorators';
import { FleetEventListDto, ListFleetEventsQueryDto } from './dto/fleet-event-list.dto';
import { FleetEventsService } from './fleet-events.service';

/** What the fleet sent and what became of it (docs/fleet.md). Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/fleet')
export class AdminFleetController {
  constructor(private readonly events: FleetEventsService) {}

  @Get('events')
  @ApiOperation({
    summary: 'List the fleet events received',
    description:
      'Every event the fleet sent (signed HTTP, NATS, or found by the REST reconciliation), once per id, newest first, ' +
      'with its outcome: `outcome=malformed`, `unknown_vehicle` or `failed` is what to look at when a vehicle status or ' +
      'a maintenance block did not arrive. A duplicate delivery is not listed again.',
  })
  @ApiOkResponse({ type: FleetEventListDto })
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  async list(@Query() query: ListFleetEventsQueryDto): Promise<FleetEventListDto> {
    const { events, total } = await this.events.list(query);
    return {
      events: events.map((e) => ({
        id: e.id,
        source: e.source,
        type: e.type,
        vehicleId: e.vehicleId,
        occurredAt: e.occurredAt?.toISOString() ?? null,
        receivedAt: e.receivedAt.toISOString(),
        outcome: e.outcome,
        detail: e.detail,
        payload: e.payload,
      })),
      pagination: pageOf(total, query.limit, query.offset),
    };
  }
}
