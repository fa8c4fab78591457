var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var DevPaymentsModule_1;
import { Module } from '@nestjs/common';
import { DevPaymentsController } from './dev-payments.controller.js';
import { PaymentsModule } from './payments.module.js';
/**
 * The dev routes that stand in for Stripe.js (`/v1/dev/payments/...`), registered only
 * when PAYMENT_PROVIDER=simulated. A module of its own, importing the one static
 * PaymentsModule, so the gateway and the event relay stay single instances (NestJS keys
 * dynamic modules by object reference: a `PaymentsModule.forRoot()` next to static imports
 * would build a second PaymentsModule, with a second in-memory simulated provider).
 */
let DevPaymentsModule = DevPaymentsModule_1 = class DevPaymentsModule {
    static forRoot(config) {
        return {
            module: DevPaymentsModule_1,
            imports: [PaymentsModule],
            controllers: config.PAYMENT_PROVIDER === 'simulated' ? [DevPaymentsController] : [],
        };
    }
};
DevPaymentsModule = DevPaymentsModule_1 = __decorate([
    Module({})
], DevPaymentsModule);
export { DevPaymentsModule };
//# sourceMappingURL=dev-payments.module.js.map