import { Module } from '@nestjs/common';
import { AdminCatalogController } from './admin-catalog.controller';
import { CatalogController } from './catalog.controller';
import { CatalogService } from './catalog.service';
import { ExternalSourcePort } from './external-source.port';

/** Offerings and their pricing rules: public browse, admin CRUD, and CatalogService for other modules. */
@Module({
  controllers: [CatalogController, AdminCatalogController],
  providers: [CatalogService, ExternalSourcePort],
  exports: [CatalogService, ExternalSourcePort],
})
export class CatalogModule {}
