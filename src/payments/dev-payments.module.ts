import { type DynamicModule, Module } from '@nestjs/common';
import { DevPaymentsController } from './dev-payments.controller';
import type { PaymentsConfig } from './payments.config';
import { PaymentsModule } from './payments.module';

/**
 * The dev routes that stand in for Stripe.js (`/v1/dev/payments/...`), registered only
 * when PAYMENT_PROVIDER=simulated. A module of its own, importing the one static
 * PaymentsModule, so the gateway and the event relay stay single instances (NestJS keys
 * dynamic modules by object reference: a `PaymentsModule.forRoot()` next to static imports
 * would build a second PaymentsModule, with a second in-memory simulated provider).
 */
@Module({})
export class DevPaymentsModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: DevPaymentsModule,
      imports: [PaymentsModule],
      controllers: config.provider === 'simulated' ? [DevPaymentsController] : [],
    };
  }
}
