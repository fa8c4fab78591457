import { describe, expect, it } from '@jest/globals';
import { validateEnv } from './env.schema';

/** The message validateEnv throws for `raw`, or a failure if it does not throw. */
function problems(raw: Record<string, unknown>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

// The shipping variables (shipping-env.ts parses them); production's refusals are in env.schema.spec.ts.
describe('validateEnv: shipping', () => {
  const HTTP = {
    SHIPPING_PROVIDER: 'http',
    SHIPPING_CARRIERS: 'fedex|https://fedex.example.com/v1',
    SHIPPING_CARRIER_API_KEY: 'fedex=k1',
  };

  it('defaults to the simulated carriers, a 3 s timeout and the built-in flat rates', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      SHIPPING_PROVIDER: 'simulated',
      SHIPPING_QUOTE_TIMEOUT_MS: 3000,
      SHIPPING_SIMULATED_LATENCY_MS: 50,
      SHIPPING_SIMULATED_FAILURE_RATE: 0,
    });
    expect(JSON.parse(env.SHIPPING_FLAT_RATES)).toEqual([
      { service: 'standard', estimatedDays: 5, amounts: { EUR: 690, USD: 790, GBP: 590 } },
      { service: 'express', estimatedDays: 2, amounts: { EUR: 1490, USD: 1690, GBP: 1290 } },
    ]);
    expect(env.SHIPPING_CARRIERS).toBeUndefined();
  });

  it('requires SHIPPING_CARRIERS and a key for every enabled carrier when SHIPPING_PROVIDER=http', () => {
    expect(problems({ SHIPPING_PROVIDER: 'http' })).toMatch(
      /SHIPPING_CARRIERS=\(unset\): SHIPPING_CARRIERS is required when SHIPPING_PROVIDER=http/,
    );
    expect(problems({ ...HTTP, SHIPPING_CARRIER_API_KEY: undefined })).toContain(
      'SHIPPING_CARRIER_API_KEY is required when SHIPPING_PROVIDER=http',
    );
    const missing = problems({
      ...HTTP,
      SHIPPING_CARRIERS: 'fedex|https://a.example/v1,ups|https://b.example/v1,usps|https://c.example|disabled',
    });
    expect(missing).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- SHIPPING_CARRIER_API_KEY=\(hidden\): .*no key for ups$/,
    );
    expect(validateEnv(HTTP).SHIPPING_CARRIERS).toBe(HTTP.SHIPPING_CARRIERS);
  });

  it('says what is wrong with a carrier list', () => {
    for (const [value, why] of [
      ['fedex', 'is not name|baseUrl'],
      ['FedEx|https://a.example', 'carrier name "FedEx"'],
      ['fedex|not a url', 'not a URL'],
      ['fedex|ftp://a.example', 'must be http(s)'],
      ['fedex|https://u:p@a.example', 'no credentials'],
      ['fedex|https://a.example|maybe', 'enabled or disabled'],
      ['fedex|https://a.example,fedex|https://b.example', 'lists fedex twice'],
      [' , ', 'lists no carrier'],
    ]) {
      expect(problems({ ...HTTP, SHIPPING_CARRIERS: value })).toContain(why);
    }
  });

  it('says what is wrong with the keys, never printing one', () => {
    const message = problems({ ...HTTP, SHIPPING_CARRIER_API_KEY: 'fedex:secret-key-1' });
    expect(message).toContain('must be comma-separated name=key pairs');
    expect(message).not.toContain('secret-key-1');
    expect(validateEnv({ ...HTTP, SHIPPING_CARRIER_API_KEY: 'fedex=YWJj==' }).SHIPPING_CARRIER_API_KEY).toBe('fedex=YWJj==');
  });

  it('says what is wrong with the flat-rate table', () => {
    for (const [value, why] of [
      ['not json', 'is not JSON'],
      ['[]', '1 to 10 options'],
      ['[{"service":"std","estimatedDays":5,"amounts":{"EUR":6.9}}]', 'integer in minor units'],
      ['[{"service":"std","estimatedDays":5,"amounts":{"EUX":690}}]', 'EUX is not an ISO 4217'],
      ['[{"service":"std","estimatedDays":-1,"amounts":{"EUR":690}}]', 'estimatedDays'],
      ['[{"service":"std","estimatedDays":5,"amounts":{"EUR":690},"x":1}]', 'unknown fields: x'],
      ['[{"estimatedDays":5,"amounts":{"EUR":690}}]', 'service must be'],
    ]) {
      expect(problems({ SHIPPING_FLAT_RATES: value })).toContain(why);
    }
  });

  it('bounds the timeout and the simulated failure rate', () => {
    expect(problems({ SHIPPING_QUOTE_TIMEOUT_MS: '50' })).toContain('SHIPPING_QUOTE_TIMEOUT_MS must not be less than 100');
    expect(problems({ SHIPPING_SIMULATED_FAILURE_RATE: '1.5' })).toContain(
      'SHIPPING_SIMULATED_FAILURE_RATE must not be greater than 1',
    );
    expect(problems({ SHIPPING_SIMULATED_FAILURE_RATE: 'often' })).toContain('SHIPPING_SIMULATED_FAILURE_RATE');
    expect(validateEnv({ SHIPPING_SIMULATED_FAILURE_RATE: '0.25' }).SHIPPING_SIMULATED_FAILURE_RATE).toBe(0.25);
  });
});
