import { describe, expect, it } from '@jest/globals';
import { amountDue, assessReturn, lateHours, type ReturnFacts, type ReturnPricing, splitDue } from './settlement';

const policy: ReturnPricing = { lateFeePerHour: 1500, refuelFeePerPercent: 50, kmAllowancePerDay: 200, feePerExtraKm: 30 };
const due = new Date('2027-03-12T10:00:00Z');
const at = (minutesAfterDue: number) => new Date(due.getTime() + minutesAfterDue * 60_000);

function facts(over: Partial<ReturnFacts> = {}): ReturnFacts {
  return {
    dueAt: due,
    returnedAt: at(0),
    days: 2,
    pickup: { odometerKm: 10_000, energyLevelPercent: 80 },
    customer: { odometerKm: 10_300, energyLevelPercent: 80 },
    telematics: null,
    photos: 4,
    minPhotos: 4,
    ...over,
  };
}

describe('settlement', () => {
  describe('lateHours: per started hour after a 30-minute grace', () => {
    it.each([
      [-60, 0],
      [0, 0],
      [30, 0],
      [31, 1],
      [90, 1],
      [91, 2],
      [24 * 60, 24],
    ])('%i minutes late -> %i hour(s)', (minutes, hours) => {
      expect(lateHours(due, at(minutes))).toBe(hours);
    });
  });

  it('an on-time return within the allowance, level kept: verified, no fines', () => {
    expect(assessReturn(policy, facts())).toEqual({
      returned: { odometerKm: 10_300, energyLevelPercent: 80, source: 'customer' },
      fines: [],
      disputes: [],
    });
  });

  it('prices lateness, missing energy and distance over the allowance, each by the policy', () => {
    const result = assessReturn(policy, facts({ returnedAt: at(95), customer: { odometerKm: 10_450, energyLevelPercent: 62 } }));
    expect(result.disputes).toEqual([]);
    expect(result.fines).toEqual([
      { kind: 'late', amount: 2 * 1500, reason: expect.any(String) },
      { kind: 'refuel', amount: 18 * 50, reason: expect.any(String) },
      { kind: 'distance', amount: 50 * 30, reason: expect.any(String) },
    ]);
  });

  it("telematics' readings win over the customer's within the tolerance", () => {
    const result = assessReturn(
      policy,
      facts({
        customer: { odometerKm: 10_402, energyLevelPercent: 78 },
        telematics: { odometerKm: 10_405, energyLevelPercent: 75 },
      }),
    );
    expect(result.returned).toEqual({ odometerKm: 10_405, energyLevelPercent: 75, source: 'telematics' });
    expect(result.disputes).toEqual([]);
    expect(result.fines.map((f) => [f.kind, f.amount])).toEqual([
      ['refuel', 5 * 50],
      ['distance', 5 * 30], // 405 km in two days of 200
    ]);
  });

  it('disputes what the policy cannot price', () => {
    expect(assessReturn(policy, facts({ photos: 3 })).disputes).toEqual(['photos_missing']);
    expect(assessReturn(policy, facts({ pickup: { odometerKm: null, energyLevelPercent: 80 } })).disputes).toEqual([
      'readings_missing',
    ]);
    expect(assessReturn(policy, facts({ customer: { odometerKm: 9_000, energyLevelPercent: 80 } })).disputes).toEqual([
      'odometer_backwards',
    ]);
    expect(
      assessReturn(
        policy,
        facts({
          customer: { odometerKm: 10_100, energyLevelPercent: 90 },
          telematics: { odometerKm: 10_600, energyLevelPercent: 40 },
        }),
      ).disputes,
    ).toEqual(['readings_mismatch']);
    expect(assessReturn(policy, facts({ returnedAt: at(24 * 60 + 1) })).disputes).toEqual(['very_late']);
  });

  it('a backwards odometer never earns a distance fine', () => {
    const result = assessReturn(policy, facts({ customer: { odometerKm: 1, energyLevelPercent: 80 } }));
    expect(result.fines).toEqual([]);
  });

  it('due is price + fee + fines not waived; nothing is captured above the authorisation', () => {
    const fines = [
      { kind: 'late' as const, amount: 3000, waived: false },
      { kind: 'refuel' as const, amount: 900, waived: true },
    ];
    expect(amountDue(20_000, fines)).toBe(23_000);
    expect(amountDue(0, [], 2_500)).toBe(2_500);
    expect(splitDue(23_000, 30_000)).toEqual({ capture: 23_000, charge: 0 });
    expect(splitDue(33_000, 30_000)).toEqual({ capture: 30_000, charge: 3_000 });
  });
});
