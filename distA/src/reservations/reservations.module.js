var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { CheckoutService } from './checkout.service.js';
import { HoldExpiryJob } from './hold-expiry.job.js';
import { ReservationPaymentOutcomes } from './payment-outcome.adapter.js';
import { ReservationMetrics } from './reservation-metrics.js';
import { ReservationQueries } from './reservation-queries.js';
import { ReservationsController } from './reservations.controller.js';
import { ReservationsService } from './reservations.service.js';
/** Holds and reservations: the booking flow of DESIGN.md section 4. */
let ReservationsModule = class ReservationsModule {
};
ReservationsModule = __decorate([
    Module({
        imports: [CatalogModule, InventoryModule, PaymentsModule],
        controllers: [ReservationsController],
        providers: [
            ReservationsService,
            ReservationQueries,
            HoldExpiryJob,
            CheckoutService,
            ReservationPaymentOutcomes,
            ReservationMetrics,
        ],
        exports: [ReservationsService, HoldExpiryJob],
    })
], ReservationsModule);
export { ReservationsModule };
//# sourceMappingURL=reservations.module.js.map