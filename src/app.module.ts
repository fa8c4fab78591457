import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from '@holdfast/audit';
import { type Clock, ClockModule } from '@holdfast/clock';
import { AllExceptionsFilter } from '@holdfast/errors';
import { IdempotencyModule } from '@holdfast/idempotency';
import { AdminGraphqlModule } from './admin-graphql/admin-graphql.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { AdminAuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CatalogModule } from './catalog/catalog.module';
import type { AppConfig } from './config/app-config';
import { configSlices } from './config/config-slices';
import { ConfigModule } from './config/config.module';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { EventsModule } from './events/events.module';
import { FlagsModule } from './flags/flags.module';
import { HealthModule } from './health/health.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { JobsAdminModule } from './jobs/jobs-admin.module';
import { MetricsModule } from './metrics/metrics.module';
import { DevEmailsModule, NotificationsModule } from './notifications/notifications.module';
import { ObjectStoreAppModule } from './object-store/object-store-app.module';
import { DevPaymentsModule } from './payments/dev-payments.module';
import { PaymentsModule } from './payments/payments.module';
import { ProtectionModule } from './protection/protection.module';
import { RentalsModule } from './rentals/rentals.module';
import { FleetModule } from './fleet/fleet.module';
import { ReservationsModule } from './reservations/reservations.module';
import { ShippingModule } from './shipping/shipping.module';
import { SupportModule } from './support/support.module';
import { TaxModule } from './tax/tax.module';
import { loggerParams } from './logging';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The whole app, built from validated config. `extraImports` lets tests mount
 * test-only modules, and `clock` gives them a clock they can move (a `TestClock`);
 * main.ts uses neither.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraImports: DynamicModule['imports'] = [], clock?: Clock): DynamicModule {
    const slices = configSlices(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, slices),
        ClockModule.forRoot(clock),
        LoggerModule.forRoot(loggerParams(slices.logging)),
        DatabaseModule.forRoot(slices.database),
        ScheduleModule.forRoot(),
        JobsAdminModule, // the job queue: before the modules that register job types
        IdempotencyModule.forRoot({
          ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
          purgeIntervalSeconds: config.IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
        }),
        AuditModule,
        AuthModule.forRoot(slices.auth),
        ProtectionModule, // after AuthModule: its rate-limit guard keys signed-in callers by req.user
        MetricsModule,
        HealthModule,
        PaymentsModule,
        DevPaymentsModule.forRoot(slices.payments),
        ReservationsModule,
        RentalsModule,
        FleetModule,
        EventsModule,
        DemoModule,
        CatalogModule,
        WebhooksModule,
        AdminAuditModule,
        FlagsModule,
        SupportModule,
        NotificationsModule,
        DevEmailsModule.forRoot(slices.notifications),
        IntegrationsModule,
        ObjectStoreAppModule, // OBJECT_STORE (global): files on disk, or the S3 bucket
        TaxModule,
        ShippingModule,
        CustomersModule,
        AdminGraphqlModule, // POST /graphql: after the modules whose services it shows
        AnalyticsModule,
        ...extraImports,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
