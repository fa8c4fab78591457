import { Module } from '@nestjs/common';
import { AdminPaymentsController } from './admin-payments.controller';
import { CustomersService } from './customers.service';
import { PaymentMetrics } from './metrics.service';
import { PaymentEventRelay } from './payment-event-relay';
import { PAYMENT_GATEWAY } from './payment-gateway';
import { PaymentMethodsController } from './payment-methods.controller';
import { PaymentMethodsService } from './payment-methods.service';
import { PaymentOutcomes } from './payment-outcome.port';
import { PaymentsConfig } from './payments.config';
import { PaymentsService } from './payments.service';
import { ReconciliationJob } from './reconciliation.job';
import { RefundsService } from './refunds.service';
import { SimulatedGateway } from './simulated.gateway';
import { StripeGateway } from './stripe.gateway';

/**
 * Payment attempts, refunds, customers and saved cards, behind the PaymentGateway port:
 * `stripe` (the real API) or `simulated` (in-process), chosen by PAYMENT_PROVIDER.
 */
@Module({
  controllers: [AdminPaymentsController, PaymentMethodsController],
  providers: [
    PaymentMetrics,
    PaymentEventRelay,
    PaymentOutcomes,
    {
      provide: PAYMENT_GATEWAY,
      inject: [PaymentsConfig, PaymentMetrics, PaymentEventRelay],
      useFactory: (config: PaymentsConfig, metrics: PaymentMetrics, relay: PaymentEventRelay) => {
        const gateway =
          config.provider === 'stripe'
            ? new StripeGateway(config, metrics, { timeoutMs: config.stripeTimeoutMs })
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
export class PaymentsModule {}
