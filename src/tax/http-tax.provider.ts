import { normalizeRate } from './tax-rate';
import { TaxProviderError, type TaxLocation, type TaxProvider } from './tax.port';

/**
 * The TaxJar-style HTTP API (contract in docs/integrations.md, "Tax"):
 *
 *     GET {TAX_API_URL}/v2/rates/{postalCode}?country={CC}[&state={REGION}]
 *     Authorization: Bearer {TAX_API_KEY}
 *     200 {"rate": {"zip": "90002", "country": "US", "state": "CA", "combined_rate": "0.1025", ...}}
 *
 * Only `rate.combined_rate` is used (a decimal string, or a number); anything else in the
 * answer is ignored. Statuses other than 200, malformed JSON and an invalid rate throw
 * TaxProviderError; 5xx, 429 and network errors are worth a retry, the rest are not.
 */
export class HttpTaxProvider implements TaxProvider {
  readonly name = 'http' as const;
  private readonly base: string | null;

  constructor(
    apiUrl: string | null,
    private readonly apiKey: string | null,
  ) {
    this.base = apiUrl === null ? null : apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  }

  async rate(location: TaxLocation, signal: AbortSignal): Promise<string> {
    if (this.base === null || this.apiKey === null) {
      throw new TaxProviderError('the tax API is not configured (TAX_API_URL, TAX_API_KEY)', false);
    }
    const url = new URL(`v2/rates/${encodeURIComponent(location.postalCode)}`, this.base);
    url.searchParams.set('country', location.country);
    if (location.region) url.searchParams.set('state', location.region);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' },
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error; // the policy's timeout
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new TaxProviderError(`the tax API is unreachable${code ? ` (${code})` : ''}`, true);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const retryable = response.status >= 500 || response.status === 429;
      throw new TaxProviderError(`the tax API answered HTTP ${response.status}`, retryable);
    }
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (error) {
      if (signal.aborted) throw error;
      throw new TaxProviderError('the tax API answered malformed JSON', false);
    }
    const rate = normalizeRate((body as { rate?: { combined_rate?: unknown } } | null)?.rate?.combined_rate);
    if (rate === null) {
      throw new TaxProviderError(
        'the tax API answered no valid rate (rate.combined_rate missing, negative, above 1 or not a number)',
        false,
      );
    }
    return rate;
  }
}
