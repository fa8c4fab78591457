import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Clock } from '@holdfast/clock';
import { AppError, flattenValidationErrors } from '@holdfast/errors';
import { isCurrencyCode } from '@holdfast/money';
import { FlagsService } from '../flags/flags.service';
import { FLAGS } from '../flags/flags.types';
import { CARRIER_CALL_OBSERVER, type CarrierCallObserver } from './carrier-call-observer.port';
import { CARRIER_CLIENTS, type CarrierClient, type CarrierQuoteRequest, type CarrierRate } from './carrier-client.port';
import { ShippingAddressDto } from './dto/shipping-address.dto';
import { type NewShippingRate, ShippingRatesRepository } from './shipping-rates.repository';
import { ShippingConfig } from './shipping.config';
import {
  FLAT_RATE_CARRIER,
  type ShippingAddress,
  type ShippingQuote,
  type ShippingRate,
  type StoredShippingRate,
} from './shipping.types';

/** How long a quoted rate can be taken (DESIGN.md section 11). */
export const SHIPPING_RATE_TTL_MS = 15 * 60 * 1000;

/** The heaviest parcel quoted, in grams (a tonne: past it, freight, not parcels). */
export const MAX_WEIGHT_GRAMS = 1_000_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cheapest first; then fastest; then by carrier and service, so equal prices keep one order. */
const cheapestFirst = (a: NewShippingRate, b: NewShippingRate) =>
  a.amount - b.amount ||
  a.estimatedDays - b.estimatedDays ||
  a.carrier.localeCompare(b.carrier) ||
  a.service.localeCompare(b.service);

/**
 * Shipping rates (DESIGN.md section 11): asks every enabled carrier at once, each within
 * SHIPPING_QUOTE_TIMEOUT_MS, answers the rates cheapest first, falls back to the flat-rate
 * table when none answers in time, and keeps what it answered 15 minutes for the
 * reservation it was quoted for. Reservations call it; it knows nothing of them but their id.
 */
@Injectable()
export class ShippingService {
  constructor(
    private readonly config: ShippingConfig,
    @Inject(CARRIER_CLIENTS) private readonly carriers: readonly CarrierClient[],
    @Inject(CARRIER_CALL_OBSERVER) private readonly observer: CarrierCallObserver,
    private readonly flags: FlagsService,
    private readonly repository: ShippingRatesRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Quotes shipping for a parcel of `weightGrams` to `address`, in `currency` (minor
   * units), for `reservationId`, and stores the rates for 15 minutes.
   *
   * Every carrier enabled by configuration and by its flag `shipping.carrier.<name>` is
   * asked in parallel, each with its own timeout (an AbortSignal: the call is cut off,
   * not just ignored), so the answer comes after the slowest carrier or the timeout,
   * whichever is first, never after the sum. A carrier that fails, times out or answers
   * anything invalid contributes nothing. When no carrier offers a rate, the answer is
   * the flat-rate table (SHIPPING_FLAT_RATES) with `fallback: true`. Each call's outcome
   * goes to the carrier-call observer. Do not call it inside a database transaction: it
   * may take the whole timeout.
   *
   * @throws AppError VALIDATION_FAILED for an invalid address (its details name the
   * fields), a weight that is not a whole number of grams from 1 to 1,000,000, or a currency that is
   * not ISO 4217; SERVICE_UNAVAILABLE when it must fall back and the flat-rate table has
   * no option in `currency`.
   * @throws Error when `reservationId` is not a UUID (a programming error of the caller).
   */
  async quote(address: ShippingAddress, weightGrams: number, currency: string, reservationId: string): Promise<ShippingQuote> {
    if (!UUID.test(reservationId)) throw new Error('A shipping quote needs the reservation id (a UUID)');
    const to = this.validAddress(address);
    if (!Number.isInteger(weightGrams) || weightGrams < 1 || weightGrams > MAX_WEIGHT_GRAMS) {
      throw new AppError('VALIDATION_FAILED', 'The parcel weight is not valid', [
        { field: 'weightGrams', message: `weightGrams must be a whole number of grams from 1 to ${MAX_WEIGHT_GRAMS}` },
      ]);
    }
    if (!isCurrencyCode(currency)) {
      throw new AppError('VALIDATION_FAILED', 'The currency is not valid', [
        { field: 'currency', message: 'currency must be an ISO 4217 code such as EUR' },
      ]);
    }

    const enabled = await this.enabledCarriers();
    const request: CarrierQuoteRequest = { to, weightGrams, currency };
    const answers = await Promise.all(enabled.map((carrier) => this.ask(carrier, request)));
    let rates: NewShippingRate[] = answers.flat().map((r) => ({
      carrier: r.carrier,
      service: r.service,
      amount: r.amountCents,
      currency: r.currency,
      estimatedDays: r.estimatedDays,
    }));
    const fallback = rates.length === 0;
    if (fallback) {
      this.notify(() => this.observer.fellBack(enabled.length === 0 ? 'no_carrier_enabled' : 'no_carrier_answered'));
      rates = this.flatRates(currency);
    }
    const quotedAt = this.clock.now();
    const expiresAt = new Date(quotedAt.getTime() + SHIPPING_RATE_TTL_MS);
    const stored = await this.repository.insertQuote(reservationId, rates.sort(cheapestFirst), {
      fallback,
      address: to,
      weightGrams,
      quotedAt,
      expiresAt,
    });
    return { rates: stored.map(publicRate), fallback, expiresAt };
  }

  /**
   * The rate `rateId` as quoted for `reservationId`, with the address and weight it was
   * quoted for, while it can still be taken (15 minutes from its quote, on the app's clock).
   * It may be taken again (a retried request); a new quote does not revoke older rates.
   *
   * @throws AppError NOT_FOUND when there is no such rate for this reservation (a rate of
   * another reservation is not shown to exist); SHIPPING_RATE_EXPIRED (409) past its time.
   */
  async takeRate(rateId: string, reservationId: string): Promise<StoredShippingRate> {
    const rate = UUID.test(rateId) ? await this.repository.find(rateId) : null;
    if (!rate || rate.reservationId !== reservationId) {
      throw new AppError('NOT_FOUND', 'There is no such shipping rate for this reservation');
    }
    if (rate.expiresAt.getTime() <= this.clock.nowMs()) {
      throw new AppError('SHIPPING_RATE_EXPIRED', 'This shipping rate has expired: ask for new rates', [
        { field: 'rateId', message: `expired at ${rate.expiresAt.toISOString()}` },
      ]);
    }
    return rate;
  }

  /** Deletes rates that expired more than a day ago (for a periodic job); answers how many. */
  async purgeExpired(): Promise<number> {
    return this.repository.purgeExpired(new Date(this.clock.nowMs() - 24 * 3600 * 1000));
  }

  /** The carriers to ask now: enabled in configuration and by their flag (a carrier without a flag row is asked). */
  private async enabledCarriers(): Promise<CarrierClient[]> {
    const configured = this.carriers.filter((c) => c.enabled);
    const on = await Promise.all(configured.map((c) => this.flags.isEnabled(FLAGS.shippingCarrier(c.name), true)));
    return configured.filter((_, i) => on[i]);
  }

  /** One carrier's rates within the timeout, or none; reports the outcome to the observer. */
  private async ask(carrier: CarrierClient, request: CarrierQuoteRequest): Promise<CarrierRate[]> {
    const started = performance.now();
    const signal = AbortSignal.timeout(this.config.quoteTimeoutMs);
    const elapsed = () => Math.round(performance.now() - started);
    // The race covers an adapter that ignores its signal: the quote never waits past the timeout.
    const timeout = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
    );
    try {
      const rates = await Promise.race([carrier.quote(request, signal), timeout]);
      this.notify(() => this.observer.succeeded(carrier.name, elapsed(), rates.length));
      return rates;
    } catch (error) {
      if (signal.aborted) this.notify(() => this.observer.timedOut(carrier.name, elapsed()));
      else this.notify(() => this.observer.failed(carrier.name, elapsed(), asError(error)));
      return [];
    }
  }

  /** The flat-rate options in `currency`. */
  private flatRates(currency: string): NewShippingRate[] {
    const options = this.config.flatRates.filter((o) => o.amounts[currency] !== undefined);
    if (options.length === 0) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `No shipping carrier answered, and there is no flat rate in ${currency}: try again in a moment`,
      );
    }
    return options.map((o) => ({
      carrier: FLAT_RATE_CARRIER,
      service: o.service,
      amount: o.amounts[currency],
      currency,
      estimatedDays: o.estimatedDays,
    }));
  }

  /** The address as the DTO validates and normalises it, or VALIDATION_FAILED naming every bad field. */
  private validAddress(address: ShippingAddress): ShippingAddress {
    const dto = plainToInstance(ShippingAddressDto, { ...address });
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) {
      throw new AppError('VALIDATION_FAILED', 'The shipping address is not valid', flattenValidationErrors(errors, 'address'));
    }
    const { name, line1, line2, city, region, postalCode, country } = dto;
    return {
      name,
      line1,
      ...(line2 ? { line2 } : {}),
      city,
      ...(region ? { region } : {}),
      postalCode,
      country,
    };
  }

  /** Runs an observer call; an observer that throws must not fail a quote. */
  private notify(fn: () => void): void {
    try {
      fn();
    } catch {
      // The observer's contract is not to throw; a broken one loses a data point, not a sale.
    }
  }
}

function publicRate(rate: StoredShippingRate): ShippingRate {
  const { rateId, carrier, service, amount, currency, estimatedDays } = rate;
  return { rateId, carrier, service, amount, currency, estimatedDays };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
