import { invalidRequest } from './errors';
import type { RawObject, RawValue } from './form';

/**
 * Per-endpoint parameter schemas and the validation Stripe runs before an endpoint
 * executes: unknown parameters, missing required ones, integers, booleans, enums,
 * hashes, arrays, metadata limits and currencies. A failure here is never stored under
 * the request's idempotency key (Stripe saves results only once execution has begun).
 */

export type Field =
  | { type: 'string'; required?: boolean; emptyable?: boolean; maxLength?: number }
  | { type: 'integer'; required?: boolean; min?: number; emptyable?: boolean }
  | { type: 'boolean'; required?: boolean }
  | { type: 'enum'; values: readonly string[]; required?: boolean; emptyable?: boolean }
  | { type: 'currency'; required?: boolean }
  | { type: 'metadata' }
  /** `others`: how keys the schema does not list are validated (unknown parameters when absent). */
  | { type: 'hash'; fields: Schema; emptyable?: boolean; others?: Field }
  | { type: 'array'; of: Field; emptyable?: boolean }
  /** Accepted as Stripe accepts it, not simulated (e.g. `shipping`, `payment_method_options`). */
  | { type: 'any' }
  /** `off_session`: a boolean, or `one_off` / `recurring`. */
  | { type: 'off_session' };

export type Schema = Record<string, Field>;

/** A validated value: integers are numbers, booleans booleans, `''` on an emptyable field is `null`. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Params = Record<string, Value>;

export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp ' +
    'cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr ' +
    'isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn ' +
    'nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std ' +
    'szl thb tjs top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

const METADATA_MAX_KEYS = 50;
const METADATA_MAX_KEY_LENGTH = 40;
const METADATA_MAX_VALUE_LENGTH = 500;

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}[${key}]`;
}

function emptyError(param: string) {
  return invalidRequest(
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    { code: 'parameter_invalid_empty', param },
  );
}

function oneOf(values: readonly string[]): string {
  if (values.length === 1) return values[0];
  return `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;
}

function isRequired(field: Field): boolean {
  return 'required' in field && field.required === true;
}

function isEmptyable(field: Field): boolean {
  return field.type === 'metadata' || field.type === 'any' || ('emptyable' in field && field.emptyable === true);
}

function validateField(field: Field, raw: RawValue, param: string): Value {
  if (raw === '' && field.type !== 'string') {
    if (isEmptyable(field)) return null;
    throw emptyError(param);
  }
  switch (field.type) {
    case 'any':
      return raw as Value;
    case 'string':
      if (typeof raw !== 'string') throw invalidRequest(`Invalid string: ${param} must be a string, not a hash`, { param });
      if (raw === '') {
        if (field.emptyable) return null;
        throw emptyError(param);
      }
      if (field.maxLength !== undefined && raw.length > field.maxLength) {
        throw invalidRequest(`Invalid string: ${raw.slice(0, 20)}...; must be at most ${field.maxLength} characters`, {
          param,
        });
      }
      return raw;
    case 'integer': {
      if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) {
        throw invalidRequest(`Invalid integer: ${typeof raw === 'string' ? raw : 'hash'}`, {
          code: 'parameter_invalid_integer',
          param,
        });
      }
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw invalidRequest(`Invalid integer: ${raw}`, { code: 'parameter_invalid_integer', param });
      if (field.min !== undefined && n < field.min) {
        throw invalidRequest(`This value must be greater than or equal to ${field.min}.`, {
          code: 'parameter_invalid_integer',
          param,
        });
      }
      return n;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw invalidRequest(`Invalid boolean: ${typeof raw === 'string' ? raw : 'hash'}`, { param });
    case 'off_session':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      if (raw === 'one_off' || raw === 'recurring') return raw;
      throw invalidRequest(`Invalid off_session: must be a boolean, one_off, or recurring`, { param });
    case 'enum':
      if (typeof raw !== 'string' || !field.values.includes(raw)) {
        throw invalidRequest(`Invalid ${param}: must be one of ${oneOf(field.values)}`, { param });
      }
      return raw;
    case 'currency': {
      const code = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (!CURRENCIES.has(code)) {
        throw invalidRequest(
          `Invalid currency: ${typeof raw === 'string' ? raw.toLowerCase() : 'hash'}. Stripe currently supports these currencies: ${[...CURRENCIES].join(', ')}`,
          { param },
        );
      }
      return code;
    }
    case 'metadata': {
      if (typeof raw === 'string') throw invalidRequest('Invalid hash', { param });
      const keys = Object.keys(raw);
      if (keys.length > METADATA_MAX_KEYS) {
        throw invalidRequest(`You can specify up to ${METADATA_MAX_KEYS} metadata keys, but you passed ${keys.length}.`, {
          param,
        });
      }
      const out: Record<string, string> = {};
      for (const key of keys) {
        const value = raw[key];
        const keyParam = join(param, key);
        if (typeof value !== 'string')
          throw invalidRequest('Invalid string: metadata values must be strings', { param: keyParam });
        if (key.length > METADATA_MAX_KEY_LENGTH) {
          throw invalidRequest(
            `Metadata keys can have up to ${METADATA_MAX_KEY_LENGTH} characters, but you passed in a key that is ${key.length} characters: ${key}`,
            { param: keyParam },
          );
        }
        if (value.length > METADATA_MAX_VALUE_LENGTH) {
          throw invalidRequest(
            `Metadata values can have up to ${METADATA_MAX_VALUE_LENGTH} characters, but you passed in a value that is ${value.length} characters.`,
            { param: keyParam },
          );
        }
        out[key] = value;
      }
      return out;
    }
    case 'hash':
      if (typeof raw === 'string') throw invalidRequest('Invalid hash', { param });
      return validateParams(field.fields, raw, param, field.others);
    case 'array': {
      if (typeof raw === 'string') throw invalidRequest('Invalid array', { param });
      const keys = Object.keys(raw);
      if (!keys.every((k) => /^\d+$/.test(k))) throw invalidRequest('Invalid array', { param });
      return keys
        .map(Number)
        .sort((a, b) => a - b)
        .map((index) => validateField(field.of, raw[String(index)], `${param}[${index}]`));
    }
  }
}

/**
 * Validates `raw` against `schema`: unknown parameter first (as Stripe reports it), then
 * each field. `prefix` names nested parameters the way Stripe does (`automatic_payment_methods[enabled]`).
 * `others`, when given, validates the keys `schema` does not list instead of refusing them.
 */
export function validateParams(schema: Schema, raw: RawObject, prefix = '', others?: Field): Params {
  const out: Params = {};
  for (const key of Object.keys(raw)) {
    if (!(key in schema)) {
      const param = join(prefix, key);
      if (!others) throw invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
      out[key] = validateField(others, raw[key], param);
    }
  }
  for (const [key, field] of Object.entries(schema)) {
    const param = join(prefix, key);
    const value = raw[key];
    if (value === undefined) {
      if (isRequired(field)) throw invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
      continue;
    }
    out[key] = validateField(field, value, param);
  }
  return out;
}

// Typed reads of validated parameters (the schema already guaranteed the type).

export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === 'string' ? v : undefined;
}

export function int(params: Params, key: string): number | undefined {
  const v = params[key];
  return typeof v === 'number' ? v : undefined;
}

export function bool(params: Params, key: string): boolean | undefined {
  const v = params[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function hash(params: Params, key: string): Params | undefined {
  const v = params[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export function strings(params: Params, key: string): string[] | undefined {
  const v = params[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Whether the parameter was sent at all (`''` counts: it is an explicit unset). */
export function has(params: Params, key: string): boolean {
  return key in params;
}

export const EXPAND: Field = { type: 'array', of: { type: 'string' } };
export const METADATA: Field = { type: 'metadata' };
