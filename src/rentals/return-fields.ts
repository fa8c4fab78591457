import type { ErrorDetail } from '@holdfast/errors';

/** The multipart field every photo comes in. */
export const RETURN_PHOTO_FIELD = 'photos';
/** The text fields of a return; every other field name is refused. */
export const RETURN_TEXT_FIELDS = ['odometerKm', 'energyLevelPercent', 'latitude', 'longitude', 'notes'] as const;
export type ReturnTextField = (typeof RETURN_TEXT_FIELDS)[number];

/** The customer's readings at return (telematics' at lock time win where it reports them). */
export interface ReturnFields {
  /** Whole km, 0 to 2,000,000. */
  odometerKm: number;
  /** 0 to 100, at most 2 decimals. */
  energyLevelPercent: number;
  latitude: number;
  longitude: number;
  /** Up to 2000 characters, no NUL; null when not sent or blank. */
  notes: string | null;
}

/**
 * The OpenAPI schema of the return's body, for the route's `@ApiConsumes('multipart/form-data')`
 * and `@ApiBody({ schema: RETURN_UPLOAD_SCHEMA })`.
 */
export const RETURN_UPLOAD_SCHEMA = {
  type: 'object',
  required: ['photos', 'odometerKm', 'energyLevelPercent', 'latitude', 'longitude'],
  properties: {
    photos: {
      type: 'array',
      items: { type: 'string', format: 'binary' },
      description:
        'At least 4 photos (RETURN_MIN_PHOTOS), JPEG, PNG or HEIC (checked by their bytes), 10 MiB each, 40 MiB in all',
    },
    odometerKm: { type: 'integer', minimum: 0, maximum: 2_000_000, example: 42_180 },
    energyLevelPercent: { type: 'number', minimum: 0, maximum: 100, example: 75 },
    latitude: { type: 'number', minimum: -90, maximum: 90, example: 52.3791 },
    longitude: { type: 'number', minimum: -180, maximum: 180, example: 4.9003 },
    notes: { type: 'string', maxLength: 2000, example: 'Small scratch on the rear bumper, was there at pickup' },
  },
} as const;

/**
 * A return's text fields as they arrive (multipart strings), checked one by one: each known
 * field once, numbers written plainly (no exponent, no hex, no spaces) and in range, notes
 * without NUL and within the length. `missing()` says what a complete body still lacks.
 */
export class ReturnFieldsReader {
  private readonly seen = new Set<ReturnTextField>();
  private readonly parsed: Partial<ReturnFields> = {};

  constructor(private readonly maxNotesLength: number) {}

  /** Whether `name` is one of the return's text fields. */
  static isField(name: string): name is ReturnTextField {
    return (RETURN_TEXT_FIELDS as readonly string[]).includes(name);
  }

  /** Takes one field; the problem with it, or null. */
  add(field: ReturnTextField, value: string): string | null {
    if (this.seen.has(field)) return `${field} is sent twice`;
    this.seen.add(field);
    const number = (pattern: RegExp, min: number, max: number, what: string): number | string => {
      const parsed = pattern.test(value) ? Number(value) : NaN;
      return Number.isFinite(parsed) && parsed >= min && parsed <= max ? parsed : `${field} must be ${what}`;
    };
    let parsed: number | string;
    switch (field) {
      case 'odometerKm':
        parsed = number(/^\d{1,7}$/, 0, 2_000_000, 'a whole number of km from 0 to 2000000');
        break;
      case 'energyLevelPercent':
        parsed = number(/^\d{1,3}(\.\d{1,2})?$/, 0, 100, 'a number from 0 to 100 (at most 2 decimals)');
        break;
      case 'latitude':
        parsed = number(/^-?\d{1,2}(\.\d{1,10})?$/, -90, 90, 'a number from -90 to 90');
        break;
      case 'longitude':
        parsed = number(/^-?\d{1,3}(\.\d{1,10})?$/, -180, 180, 'a number from -180 to 180');
        break;
      case 'notes':
        if (value.includes('\u0000')) return 'notes must not contain a NUL character';
        if ([...value].length > this.maxNotesLength) return `notes is longer than ${this.maxNotesLength} characters`;
        this.parsed.notes = value.trim() === '' ? null : value;
        return null;
    }
    if (typeof parsed === 'string') return parsed;
    this.parsed[field] = parsed;
    return null;
  }

  /** The required fields not sent yet. */
  missing(): ErrorDetail[] {
    return RETURN_TEXT_FIELDS.filter((field) => field !== 'notes' && !this.seen.has(field)).map((field) => ({
      field,
      message: `${field} is required`,
    }));
  }

  /** The fields, once `missing()` is empty. */
  fields(): ReturnFields {
    return { notes: null, ...this.parsed } as ReturnFields;
  }
}
