import { describe, expect, it } from '@jest/globals';
import { canonicalTimeZone, type RentalPolicy, rentalPeriod, rentalPolicyProblems } from './rental-policy';

const policy = (pickupTime: string, returnTime: string, timeZone: string) => ({ pickupTime, returnTime, timeZone });
const iso = (period: { pickupAt: Date; returnAt: Date }) => [period.pickupAt.toISOString(), period.returnAt.toISOString()];
const hours = (period: { pickupAt: Date; returnAt: Date }) => (period.returnAt.getTime() - period.pickupAt.getTime()) / 3_600_000;

// Expected instants were checked against the system's tz database with GNU date, e.g.
// `TZ=UTC date -d 'TZ="Europe/Paris" 2026-03-30 10:00'`.
describe('rentalPeriod', () => {
  it('runs from the pickup time on the first day to the return time on the last, in the zone', () => {
    const period = rentalPeriod('2026-07-01', '2026-07-04', policy('10:00', '09:00', 'Europe/Paris'));
    expect(iso(period)).toEqual(['2026-07-01T08:00:00.000Z', '2026-07-04T07:00:00.000Z']);
    expect(period.pickupAt).toBeInstanceOf(Date);
  });

  it('is an hour shorter across the spring change and an hour longer across the autumn one (Europe/Paris, 2026)', () => {
    const spring = rentalPeriod('2026-03-28', '2026-03-30', policy('10:00', '10:00', 'Europe/Paris'));
    expect(iso(spring)).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-30T08:00:00.000Z']);
    expect(hours(spring)).toBe(47);
    const autumn = rentalPeriod('2026-10-24', '2026-10-26', policy('10:00', '10:00', 'Europe/Paris'));
    expect(iso(autumn)).toEqual(['2026-10-24T08:00:00.000Z', '2026-10-26T09:00:00.000Z']);
    expect(hours(autumn)).toBe(49);
  });

  it('moves a time skipped by the spring change forward by the gap', () => {
    // 02:30 does not exist in Paris on 2026-03-29 (02:00 -> 03:00): 03:30 CEST.
    expect(rentalPeriod('2026-03-29', '2026-03-30', policy('02:30', '02:30', 'Europe/Paris')).pickupAt.toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // New York, 2026-03-08 (02:00 -> 03:00): 03:30 EDT.
    expect(rentalPeriod('2026-03-08', '2026-03-09', policy('02:30', '02:30', 'America/New_York')).pickupAt.toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    // Lord Howe Island moves by 30 minutes (2026-10-04, 02:00 -> 02:30): 02:15 is 02:45 (+11).
    expect(rentalPeriod('2026-10-04', '2026-10-05', policy('02:15', '02:15', 'Australia/Lord_Howe')).pickupAt.toISOString()).toBe(
      '2026-10-03T15:45:00.000Z',
    );
    // Chatham Islands (+12:45 -> +13:45 on 2026-09-27 at 02:45): 03:00 is 04:00.
    expect(rentalPeriod('2026-09-27', '2026-09-28', policy('03:00', '03:00', 'Pacific/Chatham')).pickupAt.toISOString()).toBe(
      '2026-09-26T14:15:00.000Z',
    );
  });

  it('takes the first of a time that happens twice in the autumn change', () => {
    // Paris 2026-10-25: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET).
    expect(rentalPeriod('2026-10-24', '2026-10-25', policy('02:30', '02:30', 'Europe/Paris')).returnAt.toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // New York 2026-11-01: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(rentalPeriod('2026-10-31', '2026-11-01', policy('01:30', '01:30', 'America/New_York')).returnAt.toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('lands on another UTC date in zones far from UTC, and honours odd offsets', () => {
    // UTC+14: 09:00 on July 1st is still June 30th in UTC.
    expect(iso(rentalPeriod('2026-07-01', '2026-07-02', policy('09:00', '09:00', 'Pacific/Kiritimati')))).toEqual([
      '2026-06-30T19:00:00.000Z',
      '2026-07-01T19:00:00.000Z',
    ]);
    // UTC-11: 20:00 on July 1st is already July 2nd in UTC.
    expect(iso(rentalPeriod('2026-07-01', '2026-07-03', policy('20:00', '08:00', 'Pacific/Pago_Pago')))).toEqual([
      '2026-07-02T07:00:00.000Z',
      '2026-07-03T19:00:00.000Z',
    ]);
    // +05:45 and -03:30 (St John's, after its autumn change to -03:30).
    expect(rentalPeriod('2026-07-01', '2026-07-02', policy('09:00', '09:00', 'Asia/Kathmandu')).pickupAt.toISOString()).toBe(
      '2026-07-01T03:15:00.000Z',
    );
    expect(rentalPeriod('2026-11-01', '2026-11-02', policy('00:30', '00:30', 'America/St_Johns')).pickupAt.toISOString()).toBe(
      '2026-11-01T03:00:00.000Z',
    );
  });

  it('treats UTC and a zone given in another case alike', () => {
    expect(iso(rentalPeriod('2026-01-31', '2026-02-01', policy('23:59', '00:00', 'UTC')))).toEqual([
      '2026-01-31T23:59:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(iso(rentalPeriod('2026-07-01', '2026-07-02', policy('10:00', '10:00', 'europe/paris')))).toEqual(
      iso(rentalPeriod('2026-07-01', '2026-07-02', policy('10:00', '10:00', 'Europe/Paris'))),
    );
  });

  it('refuses malformed or impossible dates, times and zones, and a period that does not end after it starts', () => {
    const ok = policy('10:00', '10:00', 'Europe/Paris');
    expect(() => rentalPeriod('2026-02-30', '2026-03-02', ok)).toThrow(RangeError);
    expect(() => rentalPeriod('2026-7-1', '2026-07-03', ok)).toThrow(RangeError);
    expect(() => rentalPeriod('2026-07-01', '2026-07-03', policy('24:00', '10:00', 'Europe/Paris'))).toThrow(RangeError);
    expect(() => rentalPeriod('2026-07-01', '2026-07-03', policy('9:00', '09:00', 'Europe/Paris'))).toThrow(RangeError);
    expect(() => rentalPeriod('2026-07-01', '2026-07-03', policy('10:00', '10:00', 'Mars/Olympus_Mons'))).toThrow(RangeError);
    expect(() => rentalPeriod('2026-07-01', '2026-07-03', policy('10:00', '10:00', '+01:00'))).toThrow(RangeError);
    expect(() => rentalPeriod('2026-07-01', '2026-07-01', ok)).toThrow(/must end after it starts/);
    expect(() => rentalPeriod('2026-07-03', '2026-07-01', ok)).toThrow(/must end after it starts/);
  });
});

describe('canonicalTimeZone', () => {
  it('gives the canonical IANA name, or null for anything that is not one', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['', 'Mars/Olympus_Mons', '+01:00', 'Europe/Paris; DROP TABLE', '../etc/passwd', 'x'.repeat(65)]) {
      expect({ bad, zone: canonicalTimeZone(bad) }).toEqual({ bad, zone: null });
    }
  });
});

describe('rentalPolicyProblems', () => {
  const base: RentalPolicy = {
    pickupTime: '10:00',
    returnTime: '09:00',
    timeZone: 'Europe/Paris',
    deposit: 50000,
    cancellationFee: 5000,
    freeCancellationHours: 48,
    lateFeePerHour: 2500,
    refuelFeePerPercent: 150,
    kmAllowancePerDay: 200,
    feePerExtraKm: 30,
  };

  it('accepts a return at or before the pickup time', () => {
    expect(rentalPolicyProblems(base)).toEqual([]);
    expect(rentalPolicyProblems({ ...base, returnTime: '10:00' })).toEqual([]);
  });

  it('refuses a return after the pickup time (back-to-back renters would overlap) and an unknown zone', () => {
    expect(rentalPolicyProblems({ ...base, returnTime: '10:01', timeZone: 'Nowhere/Land' }).map((p) => p.field)).toEqual([
      'timeZone',
      'returnTime',
    ]);
  });
});
