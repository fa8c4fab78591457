import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { AdminInventoryController } from './admin-inventory.controller';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { InventoryAdminService } from './inventory-admin.service';
import { InventoryRepository } from './inventory.repository';
import { InventoryService } from './inventory.service';
import { InvariantsService } from './invariants.service';

/** Time slots, stock, rental units and the allocation ledger: the only code that changes capacity. */
@Module({
  imports: [CatalogModule],
  controllers: [AdminInventoryController, AvailabilityController],
  providers: [InventoryRepository, InventoryService, InventoryAdminService, AvailabilityService, InvariantsService],
  exports: [InventoryService, InvariantsService, InventoryAdminService],
})
export class InventoryModule {}
