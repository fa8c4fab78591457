import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { CatalogModule } from '../catalog/catalog.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationsService } from '../integrations/integrations.service';
import { InventoryModule } from '../inventory/inventory.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { SupportModule } from '../support/support.module';
import { AdminRentalsController } from './admin-rentals.controller';
import { HttpTelematicsClient } from './http-telematics.client';
import { MoneyScheduleJob } from './money-schedule.job';
import { MoneyScheduleService } from './money-schedule.service';
import { RentalReturnService } from './rental-return.service';
import { RentalSettlementJob } from './rental-settlement.job';
import { RentalsConfig } from './rentals.config';
import { RentalsController } from './rentals.controller';
import { RentalsRepository } from './rentals.repository';
import { RentalsService } from './rentals.service';
import { Seed002RentalsController } from './seed002-rentals.controller';
import { SimulatedTelematics } from './simulated-telematics';
import { registerTelematicsPolicy, TELEMATICS, type Telematics } from './telematics.port';

/**
 * Vehicle rentals (DESIGN.md section 12): the money schedule (authorise ahead of pickup,
 * renew, action required), unlock, return with proof, fines and the settlement of the
 * money, over bookings made through reservations. The telematics
 * adapter is chosen by TELEMATICS_MODE (simulated by default; refused in production).
 */
@Module({
  imports: [ReservationsModule, PaymentsModule, InventoryModule, CatalogModule, SupportModule, IntegrationsModule],
  controllers: [RentalsController, AdminRentalsController, Seed002RentalsController],
  providers: [
    {
      provide: TELEMATICS,
      inject: [RentalsConfig, IntegrationsService, Clock],
      useFactory: (config: RentalsConfig, integrations: IntegrationsService, clock: Clock): Telematics => {
        const policy = registerTelematicsPolicy(integrations, config.telematicsTimeoutMs);
        return config.telematicsMode === 'http'
          ? HttpTelematicsClient.fromConfig(config, policy)
          : SimulatedTelematics.fromConfig(config, clock, policy);
      },
    },
    RentalsRepository,
    RentalsService,
    RentalReturnService,
    RentalSettlementJob,
    MoneyScheduleService,
    MoneyScheduleJob,
  ],
  exports: [RentalsService, RentalReturnService],
})
export class RentalsModule implements OnApplicationShutdown {
  constructor(@Inject(TELEMATICS) private readonly telematics: Telematics) {}

  /** Closes the HTTP client's keep-alive connections. */
  onApplicationShutdown(): void {
    if (this.telematics instanceof HttpTelematicsClient) this.telematics.close();
  }
}
