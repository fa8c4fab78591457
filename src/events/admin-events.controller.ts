import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Roles } from '../auth/auth.decorators';
import { EventFeedQueryDto, EventPageDto } from './dto/event.dto';
import { EventsService, parseCursor } from './events.service';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/events')
export class AdminEventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({
    summary: 'Reservation events after a cursor, oldest first (the feed behind the NATS stream)',
    description:
      'Every reservation state change (held, pending, payment_failed, confirmed, cancelled, refunded, completed, expired), ' +
      'written in the transaction that made it. Follow `nextCursor` to read each committed event exactly once: a page ' +
      'holds only events no transaction still running can precede, so an event that commits late is never skipped ' +
      "(it may appear a moment later). One reservation's events come in the order they happened. No guest PII.",
  })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  list(@Query() query: EventFeedQueryDto): Promise<EventPageDto> {
    return this.events.feed(query.after ? parseCursor(query.after) : null, query.limit);
  }
}
