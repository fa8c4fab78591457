import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { AdminEventsController } from './admin-events.controller';
import { EventMetrics } from './event-metrics';
import { EventRelay } from './event-relay';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

/**
 * Reservation events (DESIGN.md section 13): the `outbox_events` table, written by the
 * reservations module's statements through this module's SQL fragments
 * (`outboxInsertCte`), read by the admin feed and, with EVENTS_NATS_URL set, relayed to
 * NATS JetStream.
 */
@Module({
  imports: [FlagsModule],
  controllers: [AdminEventsController],
  providers: [EventsRepository, EventsService, EventMetrics, EventRelay],
  exports: [EventsService, EventRelay],
})
export class EventsModule {}
