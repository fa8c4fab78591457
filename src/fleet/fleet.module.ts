import { Module } from '@nestjs/common';
import type { IntegrationPolicy } from '@holdfast/resilience';
import { InventoryModule } from '../inventory/inventory.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationsService } from '../integrations/integrations.service';
import { RentalsModule } from '../rentals/rentals.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { AdminFleetController } from './admin-fleet.controller';
import { FleetApi, FleetApiError } from './fleet-api.port';
import { FleetConfig } from './fleet.config';
import { FleetConsumer } from './fleet-consumer';
import { FLEET_EVENT_SOURCE } from './fleet-event-source.port';
import { FleetEventsRepository } from './fleet-events.repository';
import { FleetEventsService } from './fleet-events.service';
import { FleetHttpClient } from './fleet-http.client';
import { FleetMetrics } from './fleet-metrics';
import { FleetReconciler, FLEET_API_POLICY } from './fleet-reconciler';
import { FleetWebhookController } from './fleet-webhook.controller';
import { JetStreamFleetSource } from './jetstream-fleet-source';
import { MaintenanceApplier } from './maintenance-applier';
import { SimulatedFleet } from './simulated-fleet';

/** One pull of the fleet API: a few seconds (it lists the whole fleet). */
const FLEET_API_TIMEOUT_MS = 10_000;

/**
 * The fleet's events (DESIGN.md section 12, docs/fleet.md): the signed HTTP route, the
 * JetStream consumer (FLEET_NATS_URL) and the REST reconciliation, all into one handler
 * that sets fleet statuses and places maintenance blocks.
 */
@Module({
  imports: [InventoryModule, ReservationsModule, RentalsModule, IntegrationsModule],
  controllers: [FleetWebhookController, AdminFleetController],
  providers: [
    FleetEventsRepository,
    FleetEventsService,
    FleetMetrics,
    MaintenanceApplier,
    FleetConsumer,
    FleetReconciler,
    {
      provide: FLEET_EVENT_SOURCE,
      useFactory: (config: FleetConfig) =>
        config.natsUrl ? new JetStreamFleetSource({ url: config.natsUrl, stream: config.stream, durable: config.durable }) : null,
      inject: [FleetConfig],
    },
    {
      provide: FleetApi,
      useFactory: (config: FleetConfig) =>
        config.apiMode === 'http' && config.apiUrl ? new FleetHttpClient(config.apiUrl, config.apiKey) : new SimulatedFleet(),
      inject: [FleetConfig],
    },
    {
      provide: FLEET_API_POLICY,
      useFactory: (integrations: IntegrationsService): IntegrationPolicy =>
        integrations.register(
          { name: 'fleet', kind: 'fleet' },
          {
            timeoutMs: FLEET_API_TIMEOUT_MS,
            retries: 1,
            breaker: { threshold: 5, halfOpenAfterMs: 60_000 },
            isRetryable: (error) => !(error instanceof FleetApiError && /HTTP 4/.test(error.message)),
          },
        ),
      inject: [IntegrationsService],
    },
  ],
  exports: [FleetEventsService, FleetReconciler],
})
export class FleetModule {}
