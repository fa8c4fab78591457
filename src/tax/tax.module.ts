import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { TaxRatesRepository } from './tax-rates.repository';
import { TaxService } from './tax.service';

/**
 * Tax (DESIGN.md section 11): `TaxService.quote(address, subtotal, currency)` over the
 * `tax_rates` cache and the provider the `tax.provider` flag picks. No routes of its own:
 * reservations price tax through it when shipping is chosen.
 */
@Module({
  imports: [FlagsModule, IntegrationsModule],
  providers: [TaxRatesRepository, TaxService],
  exports: [TaxService],
})
export class TaxModule {}
