import { Module } from '@nestjs/common';
import { AdminIntegrationsController } from './admin-integrations.controller';
import { IntegrationMetrics } from './integration-metrics';
import { IntegrationsService } from './integrations.service';

/**
 * Outbound integrations (tax, IMS, carriers): `IntegrationsService.register` gives each its
 * resilience policy and observes it (metrics, last error, fallback use);
 * `GET /v1/admin/integrations` shows their state.
 */
@Module({
  controllers: [AdminIntegrationsController],
  providers: [IntegrationMetrics, IntegrationsService],
  exports: [IntegrationsService],
})
export class IntegrationsModule {}
