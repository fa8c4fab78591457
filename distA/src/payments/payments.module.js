var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { AdminPaymentsController } from './admin-payments.controller.js';
import { CustomersService } from './customers.service.js';
import { PaymentMetrics } from './metrics.service.js';
import { PaymentEventRelay } from './payment-event-relay.js';
import { PAYMENT_GATEWAY } from './payment-gateway.js';
import { PaymentMethodsController } from './payment-methods.controller.js';
import { PaymentMethodsService } from './payment-methods.service.js';
import { PaymentOutcomes } from './payment-outcome.port.js';
import { PaymentsService } from './payments.service.js';
import { ReconciliationJob } from './reconciliation.job.js';
import { RefundsService } from './refunds.service.js';
import { SimulatedGateway } from './simulated.gateway.js';
import { StripeGateway } from './stripe.gateway.js';
/**
 * Payment attempts, refunds, customers and saved cards, behind the PaymentGateway port:
 * `stripe` (the real API) or `simulated` (in-process), chosen by PAYMENT_PROVIDER.
 */
let PaymentsModule = class PaymentsModule {
};
PaymentsModule = __decorate([
    Module({
        controllers: [AdminPaymentsController, PaymentMethodsController],
        providers: [
            PaymentMetrics,
            PaymentEventRelay,
            PaymentOutcomes,
            {
                provide: PAYMENT_GATEWAY,
                inject: [AppConfig, PaymentMetrics, PaymentEventRelay],
                useFactory: (config, metrics, relay) => {
                    const gateway = config.PAYMENT_PROVIDER === 'stripe'
                        ? new StripeGateway(config, metrics, { timeoutMs: config.STRIPE_TIMEOUT_MS })
                        : new SimulatedGateway(config, relay);
                    metrics.watchGateway(gateway);
                    return gateway;
                },
            },
            PaymentsService,
            RefundsService,
            ReconciliationJob,
            CustomersService,
            PaymentMethodsService,
        ],
        exports: [
            PAYMENT_GATEWAY,
            PaymentsService,
            RefundsService,
            PaymentOutcomes,
            PaymentEventRelay,
            PaymentMetrics,
            CustomersService,
            PaymentMethodsService,
        ],
    })
], PaymentsModule);
export { PaymentsModule };
//# sourceMappingURL=payments.module.js.map