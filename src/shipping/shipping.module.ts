import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { LoggingCarrierObserver } from './carrier-call-observer';
import { IntegrationCarrierObserver } from './integration-carrier-observer';
import { CARRIER_CALL_OBSERVER } from './carrier-call-observer.port';
import { CARRIER_CLIENTS, type CarrierClient } from './carrier-client.port';
import { HttpCarrierClient } from './http-carrier.client';
import { SIMULATED_CARRIERS, SimulatedCarrierClient } from './simulated-carrier.client';
import { ShippingRatesRepository } from './shipping-rates.repository';
import { ShippingConfig } from './shipping.config';
import { ShippingService } from './shipping.service';

/** The carriers SHIPPING_PROVIDER selects: the three simulated ones, or the HTTP carriers of SHIPPING_CARRIERS. */
export function carrierClients(config: ShippingConfig): CarrierClient[] {
  if (config.provider === 'http') return config.carriers.map((settings) => new HttpCarrierClient(settings));
  return Object.entries(SIMULATED_CARRIERS).map(
    ([name, services]) =>
      new SimulatedCarrierClient(name, services, {
        latencyMs: config.simulatedLatencyMs,
        failureRate: config.simulatedFailureRate,
      }),
  );
}

/**
 * Shipping (DESIGN.md section 11): the carriers port (http | simulated), parallel rate
 * quotes with a flat-rate fallback, and the quoted rates kept 15 minutes. Exports
 * `ShippingService`; reservations will call it (this module knows no reservation but its id).
 */
@Module({
  imports: [FlagsModule, IntegrationsModule],
  providers: [
    { provide: CARRIER_CLIENTS, useFactory: carrierClients, inject: [ShippingConfig] },
    LoggingCarrierObserver,
    IntegrationCarrierObserver,
    { provide: CARRIER_CALL_OBSERVER, useExisting: IntegrationCarrierObserver },
    ShippingRatesRepository,
    ShippingService,
  ],
  exports: [ShippingService],
})
export class ShippingModule {}
