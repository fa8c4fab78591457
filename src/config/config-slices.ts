import { AdminGraphqlConfig } from '../admin-graphql/admin-graphql.config';
import { AnalyticsConfig } from '../analytics/analytics.config';
import { AuthConfig } from '../auth/auth.config';
import { CustomersConfig } from '../customers/customers.config';
import { DatabaseConfig } from '../database/database.config';
import { DemoConfig } from '../demo/demo.config';
import { EventsConfig } from '../events/events.config';
import { FlagsConfig } from '../flags/flags.config';
import { FleetConfig } from '../fleet/fleet.config';
import { InventoryConfig } from '../inventory/inventory.config';
import { JobsConfig } from '../jobs/jobs.config';
import { LoggingConfig } from '../logging.config';
import { MetricsConfig } from '../metrics/metrics.config';
import { NotificationsConfig } from '../notifications/notifications.config';
import { ObjectStoreConfig } from '../object-store/object-store.config';
import { PaymentsConfig } from '../payments/payments.config';
import { ProtectionConfig } from '../protection/protection.config';
import { RentalsConfig } from '../rentals/rentals.config';
import { ReservationsConfig } from '../reservations/reservations.config';
import { TaxConfig } from '../tax/tax.config';
import { ShippingConfig } from '../shipping/shipping.config';
import type { AppConfig } from './app-config';

/**
 * Every module's slice of the configuration, built once from the validated AppConfig.
 * Each slice class lives beside the module that reads it (`src/<module>/<module>.config.ts`)
 * and is its injection token: `constructor(private readonly config: PaymentsConfig)`.
 * Adding a slice: write its class, add it here; the variables themselves are declared and
 * validated in env.schema.ts (one error for every bad one) and listed in .env.example.
 */
export function configSlices(config: AppConfig) {
  return {
    adminGraphql: Object.freeze(new AdminGraphqlConfig(config)),
    auth: Object.freeze(new AuthConfig(config)),
    database: Object.freeze(new DatabaseConfig(config)),
    demo: Object.freeze(new DemoConfig(config)),
    events: Object.freeze(new EventsConfig(config)),
    flags: Object.freeze(new FlagsConfig(config)),
    inventory: Object.freeze(new InventoryConfig(config)),
    jobs: Object.freeze(new JobsConfig(config)),
    logging: Object.freeze(new LoggingConfig(config)),
    metrics: Object.freeze(new MetricsConfig(config)),
    notifications: Object.freeze(new NotificationsConfig(config)),
    objectStore: Object.freeze(new ObjectStoreConfig(config)),
    payments: Object.freeze(new PaymentsConfig(config)),
    protection: Object.freeze(new ProtectionConfig(config)),
    reservations: Object.freeze(new ReservationsConfig(config)),
    rentals: Object.freeze(new RentalsConfig(config)),
    tax: Object.freeze(new TaxConfig(config)),
    shipping: Object.freeze(new ShippingConfig(config)),
    customers: Object.freeze(new CustomersConfig(config)),
    fleet: Object.freeze(new FleetConfig(config)),
    analytics: Object.freeze(new AnalyticsConfig(config)),
  } as const;
}

export type ConfigSlices = ReturnType<typeof configSlices>;
