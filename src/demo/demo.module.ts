import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { DemoCatalog } from './demo-catalog';

/** The demo catalog loaded into an empty database (development convenience). */
@Module({ imports: [CatalogModule, InventoryModule], providers: [DemoCatalog], exports: [DemoCatalog] })
export class DemoModule {}
