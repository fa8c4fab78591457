import { Clock } from '@holdfast/clock';
import { Module } from '@nestjs/common';
import { AdminPaymentsController } from './admin-payments.controller';
import { AuthorizationSchedulePort } from './authorization-schedule.port';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import { CustomersService } from './customers.service';
import { PaymentMetrics } from './metrics.service';
import { OffSessionChargesService } from './off-session-charges.service';
import { PaymentEventRelay } from './payment-event-relay';
import { PAYMENT_GATEWAY } from './payment-gateway';
import { PaymentMethodsController } from './payment-methods.controller';
import { PaymentMethodsRepository } from './payment-methods.repository';
import { PaymentMethodsService } from './payment-methods.service';
import { PaymentSetupsRepository } from './payment-setups.repository';
import { PaymentSetupsService } from './payment-setups.service';
import { PaymentStateService } from './payment-state.service';
import { PaymentsRepository } from './payments.repository';
import { PaymentsConfig } from './payments.config';
import { PaymentsService } from './payments.service';
import { ReconciliationJob } from './reconciliation.job';
import { ReconciliationRepository } from './reconciliation.repository';
import { RefundFlushService } from './refund-flush.service';
import { RefundsRepository } from './refunds.repository';
import { RefundsService } from './refunds.service';
import { RevenueRepository } from './revenue.repository';
import { RevenueService } from './revenue.service';
import { SimulatedClientService } from './simulated-client.service';
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
    BookingPaymentOutcomesPort,
    AuthorizationSchedulePort,
    {
      provide: PAYMENT_GATEWAY,
      inject: [PaymentsConfig, PaymentMetrics, PaymentEventRelay, Clock],
      useFactory: (config: PaymentsConfig, metrics: PaymentMetrics, relay: PaymentEventRelay, clock: Clock) => {
        // The simulated provider runs on the app's clock (capture_before, lapses, event times).
        const gateway =
          config.provider === 'stripe'
            ? new StripeGateway(config, metrics, { timeoutMs: config.stripeTimeoutMs })
            : new SimulatedGateway(config, relay, { clock });
        metrics.watchGateway(gateway);
        return gateway;
      },
    },
    PaymentsRepository,
    PaymentStateService,
    PaymentsService,
    RefundsRepository,
    RefundFlushService,
    RefundsService,
    ReconciliationJob,
    ReconciliationRepository,
    PaymentMethodsRepository,
    CustomersService,
    PaymentMethodsService,
    SimulatedClientService,
    OffSessionChargesService,
    PaymentSetupsRepository,
    PaymentSetupsService,
    RevenueRepository,
    RevenueService,
  ],
  // Services and the ports only: the gateway, the metrics and the event relay stay inside.
  exports: [
    PaymentsService,
    RefundsService,
    CustomersService,
    PaymentMethodsService,
    SimulatedClientService,
    BookingPaymentOutcomesPort,
    AuthorizationSchedulePort,
    OffSessionChargesService,
    PaymentSetupsService,
    RevenueService,
  ],
})
export class PaymentsModule {}
