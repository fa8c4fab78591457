import { TokenBucket } from '@holdfast/resilience';
import { isCurrencyCode, MAX_AMOUNT_MINOR } from '@holdfast/money';
import { SERVICE_NAME } from '../config/shipping-env';
import { type CarrierClient, type CarrierQuoteRequest, type CarrierRate, CarrierResponseError } from './carrier-client.port';
import type { HttpCarrierSettings } from './shipping.config';

/** The most a rates answer may weigh; a bigger one is a broken or hostile carrier, not rates. */
const MAX_BODY_BYTES = 64 * 1024;
/** The most rates one carrier may offer for one parcel. */
const MAX_RATES = 50;
/** The longest delivery estimate taken as a real one. */
const MAX_ESTIMATED_DAYS = 60;

/** Quote calls per second this replica sends one carrier at most (a call waits up to 250 ms for its turn, else that carrier is skipped). */
export const CARRIER_RATE_LIMIT_PER_SECOND = 20;

/**
 * A carrier that speaks Holdfast's one shipping-rates JSON contract (docs/shipping.md):
 *
 * `POST {baseUrl}/rates` with `Authorization: Bearer <key>` and
 * `{ shipFrom?: {country, postalCode}, shipTo: {country, region?, postalCode, city}, weightGrams, currency }`
 * answers 200 `{ rates: [{ service, amountCents, currency, estimatedDays }] }`.
 *
 * Only what rating needs leaves us: never the recipient's name or street. The answer is
 * checked strictly: a non-2xx status, a body that is not JSON, a missing or extra field,
 * an amount that is not a whole non-negative number of minor units, another currency
 * than asked, an unlikely estimate: any one fails the whole answer (no partial trust).
 * No redirect is followed (the key would go with it).
 */
export class HttpCarrierClient implements CarrierClient {
  readonly name: string;
  readonly enabled: boolean;
  private readonly url: string;
  /** Our side of the carrier's rate limit: never more than CARRIER_RATE_LIMIT_PER_SECOND calls a second from this replica. */
  private readonly limiter = new TokenBucket(CARRIER_RATE_LIMIT_PER_SECOND, CARRIER_RATE_LIMIT_PER_SECOND);

  constructor(private readonly settings: HttpCarrierSettings) {
    this.name = settings.name;
    this.enabled = settings.enabled && settings.apiKey !== null;
    this.url = `${settings.baseUrl}/rates`;
  }

  async quote(request: CarrierQuoteRequest, signal: AbortSignal): Promise<CarrierRate[]> {
    const turn = this.limiter.reserve(250);
    if ('refusedMs' in turn) throw new CarrierResponseError(this.name, 'client-side rate limit reached (not sent)');
    if (turn.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, turn.waitMs));
    const { to } = request;
    const body = {
      ...(request.from ? { shipFrom: { country: request.from.country, postalCode: request.from.postalCode } } : {}),
      shipTo: { country: to.country, ...(to.region ? { region: to.region } : {}), postalCode: to.postalCode, city: to.city },
      weightGrams: request.weightGrams,
      currency: request.currency,
    };
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.settings.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        redirect: 'error',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason as Error;
      throw new CarrierResponseError(this.name, `unreachable (${(error as Error).cause ?? (error as Error).message})`);
    }
    const text = await this.readBody(response, signal);
    if (!response.ok) throw new CarrierResponseError(this.name, `answered HTTP ${response.status}`);
    if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) {
      throw new CarrierResponseError(this.name, 'answered something other than application/json');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CarrierResponseError(this.name, 'answered malformed JSON');
    }
    return this.rates(parsed, request.currency);
  }

  /** The body as text, at most MAX_BODY_BYTES, read under the call's signal. */
  private async readBody(response: Response, signal: AbortSignal): Promise<string> {
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_BODY_BYTES) throw new CarrierResponseError(this.name, `answered more than ${MAX_BODY_BYTES} bytes`);
        chunks.push(value);
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      if (signal.aborted) throw signal.reason as Error;
      if (error instanceof CarrierResponseError) throw error;
      throw new CarrierResponseError(this.name, `broke off its answer (${(error as Error).message})`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** The rates of a parsed answer, or a CarrierResponseError naming the first thing wrong with it. */
  private rates(answer: unknown, currency: string): CarrierRate[] {
    const fail = (why: string): never => {
      throw new CarrierResponseError(this.name, `answered invalid rates: ${why}`);
    };
    if (!isPlainObject(answer)) return fail('the body is not an object');
    const extra = Object.keys(answer).filter((k) => k !== 'rates');
    if (extra.length) fail(`unknown fields ${extra.join(', ')}`);
    const { rates } = answer;
    if (!Array.isArray(rates)) return fail('rates is not an array');
    if (rates.length > MAX_RATES) fail(`more than ${MAX_RATES} rates`);
    return rates.map((rate: unknown, i): CarrierRate => {
      const at = `rates[${i}]`;
      if (!isPlainObject(rate)) return fail(`${at} is not an object`);
      const unknown = Object.keys(rate).filter((k) => !['service', 'amountCents', 'currency', 'estimatedDays'].includes(k));
      if (unknown.length) fail(`${at} has unknown fields ${unknown.join(', ')}`);
      const { service, amountCents, currency: rateCurrency, estimatedDays } = rate;
      if (typeof service !== 'string' || !SERVICE_NAME.test(service)) fail(`${at}.service is missing or not a short name`);
      if (
        typeof amountCents !== 'number' ||
        !Number.isSafeInteger(amountCents) ||
        amountCents < 0 ||
        amountCents > MAX_AMOUNT_MINOR
      ) {
        fail(`${at}.amountCents is not a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`);
      }
      if (typeof rateCurrency !== 'string' || !isCurrencyCode(rateCurrency)) fail(`${at}.currency is not an ISO 4217 code`);
      if (rateCurrency !== currency) fail(`${at}.currency is ${String(rateCurrency)}, not the ${currency} asked for`);
      if (
        typeof estimatedDays !== 'number' ||
        !Number.isInteger(estimatedDays) ||
        estimatedDays < 0 ||
        estimatedDays > MAX_ESTIMATED_DAYS
      ) {
        fail(`${at}.estimatedDays is not a whole number of days from 0 to ${MAX_ESTIMATED_DAYS}`);
      }
      return {
        carrier: this.name,
        service: service as string,
        amountCents: amountCents as number,
        currency,
        estimatedDays: estimatedDays as number,
      };
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
