import { describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import type { FlagsService } from '../flags/flags.service';
import { IntegrationMetrics } from '../integrations/integration-metrics';
import { IntegrationsService } from '../integrations/integrations.service';
import { MetricsRegistry } from '../metrics/metrics.registry';
import type { TaxRatesRepository } from './tax-rates.repository';
import type { TaxConfig } from './tax.config';
import { TaxService } from './tax.service';

/** A TaxService whose flag says `variant`, with nothing cached and the HTTP API unreachable (port 1). */
function service(production: boolean, variant: string | null) {
  const config = {
    apiUrl: 'http://127.0.0.1:1',
    apiKey: 'key',
    defaultProvider: 'http',
    production,
    timeoutMs: 500,
    retries: 0,
    breakerThreshold: 5,
    breakerHalfOpenMs: 30_000,
    rateLimitPerSecond: 100,
    rateLimitBurst: 100,
    dailyQuota: 10_000,
    fallbackRates: 'US=0.07,*=0.2',
    simulatedLatencyMs: 0,
    simulatedFailurePercent: 0,
  } as TaxConfig;
  const flags = { isEnabled: async () => true, variant: async () => variant } as unknown as FlagsService;
  const repository = { find: async () => null, save: async () => undefined } as unknown as TaxRatesRepository;
  const clock = new TestClock();
  const integrations = new IntegrationsService(new IntegrationMetrics(new MetricsRegistry()), clock);
  return { tax: new TaxService(config, repository, flags, integrations, clock), integrations };
}

const calls = (integrations: IntegrationsService, name: string) =>
  integrations.states().find((s) => s.name === name)!.window.calls;
const address = { country: 'US', region: 'CA', postalCode: '90002' };

describe('TaxService provider choice', () => {
  it('uses the simulated provider when the flag selects it outside production', async () => {
    const { tax, integrations } = service(false, 'simulated');
    await expect(tax.quote(address, 1000, 'USD')).resolves.toMatchObject({ source: 'provider', estimated: false });
    expect(calls(integrations, 'tax_simulated')).toBe(1);
    expect(calls(integrations, 'tax')).toBe(0);
  });

  it('ignores a flag variant selecting the simulated provider in production: http is asked (here it is down: fallback)', async () => {
    const { tax, integrations } = service(true, 'simulated');
    await expect(tax.quote(address, 1000, 'USD')).resolves.toEqual({
      taxCents: 70,
      rate: '0.07',
      estimated: true,
      source: 'fallback',
    });
    expect(calls(integrations, 'tax')).toBe(1);
    expect(calls(integrations, 'tax_simulated')).toBe(0);
    expect(integrations.states().find((s) => s.name === 'tax')!.window.fallbacks).toBe(1);
  });

  it('uses the configured default for an unknown variant', async () => {
    const { tax, integrations } = service(false, 'nonsense');
    await tax.quote(address, 1000, 'USD');
    expect(calls(integrations, 'tax')).toBe(1);
  });
});
