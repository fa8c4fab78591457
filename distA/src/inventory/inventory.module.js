var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { AdminInventoryController } from './admin-inventory.controller.js';
import { AvailabilityController } from './availability.controller.js';
import { AvailabilityService } from './availability.service.js';
import { InventoryAdminService } from './inventory-admin.service.js';
import { InventoryRepository } from './inventory.repository.js';
import { InventoryService } from './inventory.service.js';
import { InvariantsService } from './invariants.service.js';
/** Time slots, stock, rental units and the allocation ledger: the only code that changes capacity. */
let InventoryModule = class InventoryModule {
};
InventoryModule = __decorate([
    Module({
        controllers: [AdminInventoryController, AvailabilityController],
        providers: [InventoryRepository, InventoryService, InventoryAdminService, AvailabilityService, InvariantsService],
        exports: [InventoryService, InvariantsService, InventoryAdminService],
    })
], InventoryModule);
export { InventoryModule };
//# sourceMappingURL=inventory.module.js.map