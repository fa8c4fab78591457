/**
 * A vehicle offering's rental policy (DESIGN.md section 12) and the rental period it
 * gives a booking by dates. Pure: no I/O, no clock. Other modules import this file (it
 * is listed in the architecture test's EXPORTED_FILES): the rentals module reads the
 * fees and the pickup and return instants from it.
 */

/** The time of day a pickup or return happens, `HH:MM` on a 24-hour clock. */
export const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/**
 * How a vehicle offering is rented. Money is in minor units of the offering's currency;
 * times of day are wall-clock times in `timeZone`.
 */
export interface RentalPolicy {
  /** When the vehicle can be picked up on the first day, `HH:MM` in `timeZone`. */
  pickupTime: string;
  /** When it is due back on the last day, `HH:MM` in `timeZone`; never after `pickupTime`. */
  returnTime: string;
  /** IANA time zone of the pickup and return times (`Europe/Paris`), canonical spelling. */
  timeZone: string;
  /** Authorised on the card on top of the price (released at completion less what is due). */
  deposit: number;
  /** Kept on a cancellation made later than `freeCancellationHours` before pickup. */
  cancellationFee: number;
  /** Hours before pickup until which a cancellation costs nothing. */
  freeCancellationHours: number;
  /** Per started hour late, after the 30-minute grace. */
  lateFeePerHour: number;
  /** Per percent of energy (fuel or charge) missing against the pickup reading. */
  refuelFeePerPercent: number;
  /** Kilometres included per rental day. */
  kmAllowancePerDay: number;
  /** Per kilometre over the allowance. */
  feePerExtraKm: number;
}

/** The fields of a RentalPolicy, in the order the API shows them. */
export const RENTAL_POLICY_FIELDS = [
  'pickupTime',
  'returnTime',
  'timeZone',
  'deposit',
  'cancellationFee',
  'freeCancellationHours',
  'lateFeePerHour',
  'refuelFeePerPercent',
  'kmAllowancePerDay',
  'feePerExtraKm',
] as const satisfies readonly (keyof RentalPolicy)[];

/** When a rental runs: from the pickup on the first day to the return on the last. */
export interface RentalPeriod {
  pickupAt: Date;
  returnAt: Date;
}

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * The canonical spelling of an IANA time zone (`europe/paris` -> `Europe/Paris`), or null
 * when it names none this runtime's ICU knows. Offsets (`+01:00`) and abbreviations other
 * than the zone names ICU accepts (`CET` is one) are refused by the name pattern or ICU.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (typeof zone !== 'string' || zone.length > 64 || !IANA_NAME.test(zone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * What is wrong with a policy beyond the shape of its fields (the DTO checks those): the
 * return time must not be after the pickup time. Bookings are by dates and the ledger
 * holds a unit from one date to the next, so a unit returned on a day may be picked up by
 * the next renter that same day: a return later than the pickup would overlap them.
 * Empty when the policy is sound. Each problem names its field, e.g. `returnTime`.
 */
export function rentalPolicyProblems(policy: RentalPolicy): { field: keyof RentalPolicy; message: string }[] {
  const problems: { field: keyof RentalPolicy; message: string }[] = [];
  if (canonicalTimeZone(policy.timeZone) === null) {
    problems.push({ field: 'timeZone', message: 'timeZone must be an IANA time zone such as Europe/Paris' });
  }
  if (TIME_OF_DAY.test(policy.pickupTime) && TIME_OF_DAY.test(policy.returnTime) && policy.returnTime > policy.pickupTime) {
    problems.push({
      field: 'returnTime',
      message: 'returnTime must not be after pickupTime (the next renter may pick the vehicle up on the day it comes back)',
    });
  }
  return problems;
}

/**
 * The instants a rental from `startDate` to `endDate` (calendar dates, `YYYY-MM-DD`) runs
 * between: the policy's pickup time on `startDate` to its return time on `endDate`, both
 * wall-clock times in the policy's zone. Daylight saving time is honoured: a wall time
 * that does not exist (skipped when clocks go forward) is moved forward by the gap
 * (02:30 becomes 03:30), and one that happens twice (clocks go back) is the first of the
 * two, as JavaScript's Temporal does by default ("compatible").
 *
 * @throws RangeError for a malformed or impossible date, time or zone, or a period that
 * does not end after it starts.
 */
export function rentalPeriod(
  startDate: string,
  endDate: string,
  policy: Pick<RentalPolicy, 'pickupTime' | 'returnTime' | 'timeZone'>,
): RentalPeriod {
  const zone = canonicalTimeZone(policy.timeZone);
  if (zone === null) throw new RangeError(`Not an IANA time zone: ${String(policy.timeZone)}`);
  const pickupAt = zonedInstant(wallMs(startDate, policy.pickupTime), zone);
  const returnAt = zonedInstant(wallMs(endDate, policy.returnTime), zone);
  if (returnAt <= pickupAt) {
    throw new RangeError(
      `The rental must end after it starts (${startDate} ${policy.pickupTime} to ${endDate} ${policy.returnTime})`,
    );
  }
  return { pickupAt: new Date(pickupAt), returnAt: new Date(returnAt) };
}

/** A date and time of day as milliseconds of a UTC clock showing that wall time. */
function wallMs(date: string, time: string): number {
  const match = ISO_DATE.exec(date);
  if (!match || !TIME_OF_DAY.test(time)) throw new RangeError(`Not a YYYY-MM-DD date and HH:MM time: ${date} ${time}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day, Number(time.slice(0, 2)), Number(time.slice(3, 5)));
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`Not a calendar date: ${date}`);
  }
  return ms;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function offsetAt(instant: number, zone: string): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks show `wall` (see rentalPeriod for gaps and
 * overlaps). The offsets a day either side bracket any transition near the wall time
 * (zones change offset at most once in two days).
 */
function zonedInstant(wall: number, zone: string): number {
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const candidates = [...new Set([wall - before, wall - after])]
    .filter((instant) => offsetAt(instant, zone) === wall - instant)
    .sort((a, b) => a - b);
  // Two candidates: the wall time happens twice (clocks went back); take the first.
  // None: it falls in a gap (clocks went forward); the offset before the gap moves it on by the gap.
  return candidates[0] ?? wall - before;
}
