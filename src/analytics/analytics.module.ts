import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { EventsModule } from '../events/events.module';
import { InventoryModule } from '../inventory/inventory.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { AdminAnalyticsController } from './admin-analytics.controller';
import { AnalyticsController, Seed002AnalyticsController } from './analytics.controller';
import { AnalyticsExportJob } from './analytics-export.job';
import { AnalyticsService } from './analytics.service';

/**
 * The analytics export (DESIGN.md section 13, docs/analytics.md): booking records for
 * seed 002's demand forecasting, over HTTP (`GET /v1/bookings/analytics` and
 * `/api/bookings/analytics`) and nightly to the object store. It owns no table: the
 * records come from reservations' keyset query and the other modules' batched reads.
 */
@Module({
  imports: [ReservationsModule, InventoryModule, CatalogModule, EventsModule, PaymentsModule],
  controllers: [AnalyticsController, Seed002AnalyticsController, AdminAnalyticsController],
  providers: [AnalyticsService, AnalyticsExportJob],
})
export class AnalyticsModule {}
