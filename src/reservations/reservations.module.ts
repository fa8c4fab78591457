import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { HoldExpiryJob } from './hold-expiry.job';
import { ReservationQueries } from './reservation-queries';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

/** Holds and reservations: the booking flow of DESIGN.md section 4. */
@Module({
  imports: [CatalogModule, InventoryModule],
  controllers: [ReservationsController],
  providers: [ReservationsService, ReservationQueries, HoldExpiryJob],
  exports: [ReservationsService, HoldExpiryJob],
})
export class ReservationsModule {}
