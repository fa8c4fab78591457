/*
 * The shipping variables' formats (docs/shipping.md, "Configuration"): parsed here, in
 * the shared config folder, so env.schema.ts can refuse a bad value at boot with one
 * clear message and src/shipping/shipping.config.ts builds its typed slice from the same
 * parse. Each parser throws an Error whose message says what is wrong, never a key.
 */
import { isCurrencyCode } from '@holdfast/money';

/** A carrier name: lower case, short; it is also the last part of its flag `shipping.carrier.<name>`. */
export const CARRIER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** A service name as carriers and the flat-rate table give it (`ground`, `2-day`, `Priority Mail`). */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;

/** One carrier of SHIPPING_CARRIERS. */
export interface CarrierEndpoint {
  name: string;
  /** Without a trailing slash; the contract's routes hang below it (`${baseUrl}/rates`). */
  baseUrl: string;
  /** false: configured but not asked (the flag can only turn an enabled carrier off, not on). */
  enabled: boolean;
}

/** One option of SHIPPING_FLAT_RATES: a service with its price in each currency it is sold in. */
export interface FlatRateOption {
  service: string;
  estimatedDays: number;
  /** Minor units by ISO 4217 code: `{ "EUR": 690 }` is 6.90 EUR. */
  amounts: Record<string, number>;
}

/**
 * SHIPPING_CARRIERS: comma-separated `name|baseUrl` or `name|baseUrl|enabled|disabled`
 * entries, e.g. `fedex|https://rates.fedex.internal/v1,ups|https://ups.internal/v1|disabled`.
 */
export function parseCarrierEndpoints(value: string): CarrierEndpoint[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('lists no carrier');
  const carriers = entries.map((entry) => {
    const [name, url, state = 'enabled', ...rest] = entry.split('|').map((part) => part.trim());
    if (rest.length > 0 || url === undefined) throw new Error(`"${entry}" is not name|baseUrl or name|baseUrl|enabled|disabled`);
    if (!CARRIER_NAME.test(name)) throw new Error(`carrier name "${name}" must be lower case letters, digits and - (up to 32)`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`the base URL of ${name} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`the base URL of ${name} must be http(s)`);
    if (parsed.username || parsed.password || parsed.search || parsed.hash) {
      throw new Error(
        `the base URL of ${name} must carry no credentials, query or fragment (the key goes in SHIPPING_CARRIER_API_KEY)`,
      );
    }
    if (state !== 'enabled' && state !== 'disabled') throw new Error(`the state of ${name} must be enabled or disabled`);
    return { name, baseUrl: url.replace(/\/+$/, ''), enabled: state === 'enabled' };
  });
  const names = carriers.map((c) => c.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new Error(`lists ${twice} twice`);
  return carriers;
}

/**
 * SHIPPING_CARRIER_API_KEY: each carrier's API key as comma-separated `name=key` pairs
 * (`fedex=k1,ups=k2`); a key may contain `=` (base64 padding), not commas or spaces.
 */
export function parseCarrierKeys(value: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    const key = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!CARRIER_NAME.test(name) || key === '') throw new Error('must be comma-separated name=key pairs');
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\s\u0000-\u001f\u007f]/.test(key)) throw new Error(`the key of ${name} contains a space or control character`);
    if (keys.has(name)) throw new Error(`gives a key for ${name} twice`);
    keys.set(name, key);
  }
  return keys;
}

/** The largest flat rate, in minor units of any currency (99,999.99 EUR is far beyond a parcel). */
const MAX_FLAT_RATE = 9_999_999;

/**
 * SHIPPING_FLAT_RATES: a JSON array of `{ service, estimatedDays, amounts: { CUR: minor } }`,
 * the options offered when no carrier answers in time.
 */
export function parseFlatRates(value: string): FlatRateOption[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 10) {
    throw new Error('must be a JSON array of 1 to 10 options');
  }
  return parsed.map((raw: unknown, i) => {
    const option = raw as Partial<FlatRateOption> | null;
    const where = `option ${i}`;
    if (typeof option !== 'object' || option === null || Array.isArray(option)) throw new Error(`${where} is not an object`);
    const extra = Object.keys(option).filter((k) => !['service', 'estimatedDays', 'amounts'].includes(k));
    if (extra.length) throw new Error(`${where} has unknown fields: ${extra.join(', ')}`);
    if (typeof option.service !== 'string' || !SERVICE_NAME.test(option.service))
      throw new Error(`${where}: service must be a short name`);
    if (!Number.isInteger(option.estimatedDays) || option.estimatedDays! < 0 || option.estimatedDays! > 60) {
      throw new Error(`${where}: estimatedDays must be an integer from 0 to 60`);
    }
    const amounts = option.amounts;
    if (typeof amounts !== 'object' || amounts === null || Array.isArray(amounts) || Object.keys(amounts).length === 0) {
      throw new Error(`${where}: amounts must be an object of currency: minor units`);
    }
    for (const [currency, amount] of Object.entries(amounts)) {
      if (!isCurrencyCode(currency)) throw new Error(`${where}: ${currency} is not an ISO 4217 currency code`);
      if (!Number.isInteger(amount) || amount < 0 || amount > MAX_FLAT_RATE) {
        throw new Error(`${where}: the ${currency} amount must be an integer in minor units from 0 to ${MAX_FLAT_RATE}`);
      }
    }
    return { service: option.service, estimatedDays: option.estimatedDays!, amounts: { ...amounts } };
  });
}

/** The flat-rate table used when SHIPPING_FLAT_RATES is unset. */
export const DEFAULT_FLAT_RATES =
  '[{"service":"standard","estimatedDays":5,"amounts":{"EUR":690,"USD":790,"GBP":590}},' +
  '{"service":"express","estimatedDays":2,"amounts":{"EUR":1490,"USD":1690,"GBP":1290}}]';
