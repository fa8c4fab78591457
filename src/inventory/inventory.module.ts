import { Logger, Module } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { CatalogModule } from '../catalog/catalog.module';
import { FlagsModule } from '../flags/flags.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationsService } from '../integrations/integrations.service';
import { AdminInventoryController } from './admin-inventory.controller';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { ExternalAllocations } from './external-allocations';
import { ExternalAllocationsRepository } from './external-allocations.repository';
import { ExternalInventoryService } from './external-inventory.service';
import { ImsHttpClient } from './ims-http.client';
import { INVENTORY_SYSTEM, type ImsObserver, type InventorySystem } from './ims.port';
import { InventoryAdminService } from './inventory-admin.service';
import { InventoryConfig } from './inventory.config';
import { InventoryRepository } from './inventory.repository';
import { InventoryService } from './inventory.service';
import { InvariantsService } from './invariants.service';
import { RentalUnitsRepository } from './rental-units.repository';
import { SimulatedIms } from './simulated-ims';
import { UnitMaintenanceRepository } from './unit-maintenance.repository';
import { UnitMaintenanceService } from './unit-maintenance.service';

/**
 * The IMS adapter IMS_MODE names, registered as the `ims` integration (its calls and breaker
 * in the `integration_*` metrics and GET /v1/admin/integrations).
 */
function trackedInventorySystem(config: InventoryConfig, clock: Clock, integrations: IntegrationsService): InventorySystem {
  let system: InventorySystem | null = null;
  const observer = integrations.track({ name: 'ims', kind: 'inventory' }, () => (system?.breakerOpen() ? 'open' : 'closed'));
  system = inventorySystem(config, clock, observer);
  return system;
}

/** The IMS adapter IMS_MODE names: the HTTP client (mTLS files read here, at start-up) or the in-process one. */
function inventorySystem(config: InventoryConfig, clock: Clock, observer?: ImsObserver): InventorySystem {
  if (config.imsMode === 'simulated') {
    const ims = new SimulatedIms(clock);
    for (const { itemId, ...seed } of config.imsSimulatedSeed)
      ims.seed(itemId, 'stock' in seed ? { stock: seed.stock! } : { units: seed.units! });
    return ims;
  }
  const logger = new Logger('ImsHttpClient');
  return ImsHttpClient.fromConfig(config, {
    outcome: (event) => observer?.outcome(event),
    breakerStateChanged: (event) => {
      const message = `IMS circuit breaker ${event.from} -> ${event.to}`;
      if (event.to === 'open') logger.error(message);
      else logger.warn(message);
      observer?.breakerStateChanged(event);
    },
  });
}

/**
 * Time slots, stock, rental units and the allocation ledger: the only code that changes
 * capacity; and the source port to the external IMS (ExternalInventoryService).
 */
@Module({
  imports: [CatalogModule, FlagsModule, IntegrationsModule],
  controllers: [AdminInventoryController, AvailabilityController],
  providers: [
    InventoryRepository,
    RentalUnitsRepository,
    InventoryService,
    InventoryAdminService,
    AvailabilityService,
    InvariantsService,
    {
      provide: INVENTORY_SYSTEM,
      useFactory: trackedInventorySystem,
      inject: [InventoryConfig, Clock, IntegrationsService],
    },
    ExternalInventoryService,
    ExternalAllocationsRepository,
    ExternalAllocations,
    UnitMaintenanceRepository,
    UnitMaintenanceService,
  ],
  exports: [InventoryService, InvariantsService, InventoryAdminService, ExternalInventoryService, UnitMaintenanceService],
})
export class InventoryModule {}
