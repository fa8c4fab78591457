import { Module } from '@nestjs/common';
import { IntegrationsModule } from '../integrations/integrations.module';
import { CustomerVerificationMetrics } from './customer-verification-metrics';
import { CustomerVerificationPurgeJob } from './customer-verification-purge.job';
import { CustomerVerificationPort } from './customer-verification.port';
import { CustomerVerificationService } from './customer-verification.service';
import { CustomerVerificationsRepository } from './customer-verifications.repository';
import { CustomersConfig } from './customers.config';
import { CustomersController } from './customers.controller';
import { HttpCustomerVerificationAdapter } from './http-customer-verification.adapter';
import { SimulatedCustomerVerificationAdapter } from './simulated-customer-verification.adapter';

/**
 * Customer verification (DESIGN.md section 12; docs/customers.md): the port to seed 002's
 * Customer Management Service (CUSTOMERS_MODE picks the HTTP or the simulated adapter), the
 * `customer_verifications` cache (purged of rows past 24 h hourly), the rules, and
 * `GET /v1/customers/me/verification`.
 * Exports CustomerVerificationService: vehicle holds call `requireVerified(user)`.
 */
@Module({
  imports: [IntegrationsModule],
  controllers: [CustomersController],
  providers: [
    {
      provide: CustomerVerificationPort,
      inject: [CustomersConfig],
      useFactory: (config: CustomersConfig): CustomerVerificationPort =>
        config.mode === 'http'
          ? new HttpCustomerVerificationAdapter(config.serviceUrl, config.apiKey)
          : new SimulatedCustomerVerificationAdapter(),
    },
    CustomerVerificationsRepository,
    CustomerVerificationMetrics,
    CustomerVerificationService,
    CustomerVerificationPurgeJob,
  ],
  exports: [CustomerVerificationService],
})
export class CustomersModule {}
