import { minorUnitDigits } from '@holdfast/money';
import {
  type CarrierClient,
  type CarrierQuoteRequest,
  type CarrierRate,
  CarrierResponseError,
  type ShipFrom,
} from './carrier-client.port';

/** One service of a simulated carrier: a price of base + per kg + per 100 km, in major units of any currency. */
interface SimulatedService {
  service: string;
  base: number;
  perKg: number;
  per100Km: number;
  /** Days for the first 500 km; one more per further 1,000 km. */
  days: number;
}

/** The three carriers of seed 003 (FedEx, UPS, USPS), each with a cheap and a fast service. */
export const SIMULATED_CARRIERS: Readonly<Record<string, readonly SimulatedService[]>> = {
  fedex: [
    { service: 'ground', base: 6.5, perKg: 0.9, per100Km: 0.35, days: 4 },
    { service: 'express', base: 14, perKg: 1.6, per100Km: 0.6, days: 1 },
  ],
  ups: [
    { service: 'ground', base: 6.2, perKg: 1.0, per100Km: 0.3, days: 5 },
    { service: '2-day', base: 11.5, perKg: 1.3, per100Km: 0.45, days: 2 },
  ],
  usps: [
    { service: 'ground-advantage', base: 4.9, perKg: 1.1, per100Km: 0.25, days: 5 },
    { service: 'priority-mail', base: 8.7, perKg: 1.2, per100Km: 0.4, days: 3 },
  ],
};

/** Where the simulated parcels leave from when a quote names no origin. */
export const SIMULATED_ORIGIN: ShipFrom = { country: 'US', postalCode: '10001' };

/** FNV-1a, 32 bits: a stable number from a string (same address, same distance, every run). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A made-up but stable distance in km: within a country 50 to 4,500 km apart by the
 * postal codes' first three characters (the same area: 50 km), across borders 1,500 to
 * 11,500 km by the pair of countries.
 */
export function simulatedDistanceKm(from: ShipFrom, to: { country: string; postalCode: string }): number {
  if (from.country === to.country) {
    const a = from.postalCode.slice(0, 3);
    const b = to.postalCode.slice(0, 3);
    if (a === b) return 50;
    return 100 + (hash([a, b].sort().join('|')) % 4400);
  }
  return 1500 + (hash([from.country, to.country].sort().join('|')) % 10000);
}

export interface SimulatedCarrierOptions {
  /** Typical answer time; each answer takes 50 % to 150 % of it. */
  latencyMs: number;
  /** The share of calls that fail (0 to 1). */
  failureRate: number;
  /** Random numbers in [0, 1): latency jitter and failures (tests pass a fixed sequence). */
  random?: () => number;
}

/**
 * An in-process carrier (the development default, DESIGN.md section 11): rates from the
 * parcel's weight and a made-up distance, in the currency asked (no exchange rates: the
 * same figure in any currency, scaled to its minor unit), after a configurable latency,
 * failing a configurable share of calls. It honours the abort signal like a real call.
 */
export class SimulatedCarrierClient implements CarrierClient {
  readonly enabled = true;
  private readonly random: () => number;

  constructor(
    readonly name: string,
    private readonly services: readonly SimulatedService[],
    private readonly options: SimulatedCarrierOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  async quote(request: CarrierQuoteRequest, signal: AbortSignal): Promise<CarrierRate[]> {
    await this.delay(Math.round(this.options.latencyMs * (0.5 + this.random())), signal);
    if (this.random() < this.options.failureRate) throw new CarrierResponseError(this.name, 'simulated failure');
    const distance = simulatedDistanceKm(request.from ?? SIMULATED_ORIGIN, request.to);
    const kg = request.weightGrams / 1000;
    const scale = 10 ** minorUnitDigits(request.currency);
    return this.services.map((s) => ({
      carrier: this.name,
      service: s.service,
      amountCents: Math.round((s.base + s.perKg * kg + (s.per100Km * distance) / 100) * scale),
      currency: request.currency,
      estimatedDays: s.days + Math.max(0, Math.ceil((distance - 500) / 1000)),
    }));
  }

  private delay(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
