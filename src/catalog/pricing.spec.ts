import { describe, expect, it } from '@jest/globals';
import type { OfferingEntity } from './offering.entity';
import { priceDependsOnStart, priceItem, sumPrices, type PriceItemInput, type PricingRules } from './pricing';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const inDays = (days: number): Date => new Date(NOW.getTime() + days * DAY_MS);

// The entity's stored rules must stay usable as pricing input (a compile-time check).
const _storedRulesFit: PricingRules = {} as OfferingEntity['pricingRules'];

/** The seed 004 offering: 15 % off from 2 guests, 10 % off 7 days ahead. */
const SEED_RULES: PricingRules = {
  groupDiscount: { minQuantity: 2, percentOff: 15, type: 'group_5_plus' },
  earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' },
};

function price(overrides: Partial<PriceItemInput>) {
  return priceItem({ basePriceCents: 10_000, quantity: 1, units: 1, rules: {}, startsAt: null, now: NOW, ...overrides });
}

describe('priceItem', () => {
  it("prices seed 004's example: 2 guests x 10000, 15 % group and 10 % early bird on the original -> 15000", () => {
    expect(price({ quantity: 2, rules: SEED_RULES, startsAt: inDays(30) })).toEqual({
      unitPriceCents: 10_000,
      originalCents: 20_000,
      groupDiscount: { amount: 3000, type: 'group_5_plus' },
      earlyBirdDiscount: { amount: 2000, type: 'early_bird' },
      discountCents: 5000,
      totalCents: 15_000,
    });
  });

  it('gives no discount when there are no rules', () => {
    expect(price({ quantity: 3, startsAt: inDays(60) })).toEqual({
      unitPriceCents: 10_000,
      originalCents: 30_000,
      groupDiscount: null,
      earlyBirdDiscount: null,
      discountCents: 0,
      totalCents: 30_000,
    });
  });

  it('applies the group discount from minQuantity on, not below', () => {
    const rules: PricingRules = { groupDiscount: { minQuantity: 5, percentOff: 20, type: 'group_5_plus' } };
    expect(price({ quantity: 4, rules }).groupDiscount).toBeNull();
    expect(price({ quantity: 5, rules })).toMatchObject({ groupDiscount: { amount: 10_000 }, totalCents: 40_000 });
  });

  it('rounds percentages half up to the minor unit', () => {
    const group = (percentOff: number, basePriceCents: number) =>
      price({ basePriceCents, quantity: 2, rules: { groupDiscount: { minQuantity: 2, percentOff, type: 'g' } } }).groupDiscount
        ?.amount;
    // 15 % of 333 = 49.95 -> 50
    const r15 = price({ basePriceCents: 333, rules: { groupDiscount: { minQuantity: 1, percentOff: 15, type: 'g' } } });
    expect(r15).toMatchObject({ originalCents: 333, groupDiscount: { amount: 50 }, totalCents: 283 });
    // 12.5 % of 100 = 12.5 -> 13
    const r125 = price({ basePriceCents: 100, rules: { groupDiscount: { minQuantity: 1, percentOff: 12.5, type: 'g' } } });
    expect(r125).toMatchObject({ groupDiscount: { amount: 13 }, totalCents: 87 });
    // 12.4 % of 100 = 12.4 -> 12, and a float-unfriendly case: 1.15 % of 100 = 1.15 -> 1
    expect(group(12.4, 50)).toBe(12);
    expect(group(1.15, 50)).toBe(1);
    // 2.3 % of 1500 = 34.5 -> 35 (float arithmetic gives 34.49999999999999, which would round down)
    const r23 = price({
      basePriceCents: 1500,
      rules: { earlyBird: { minDaysBefore: 1, percentOff: 2.3, type: 'e' } },
      startsAt: inDays(2),
    });
    expect(r23.earlyBirdDiscount).toEqual({ amount: 35, type: 'e' });
  });

  it('rounds each discount on its own, on the original price', () => {
    // original 333: 15 % = 49.95 -> 50, 10 % = 33.3 -> 33
    const result = price({
      basePriceCents: 333,
      quantity: 1,
      rules: { ...SEED_RULES, groupDiscount: { ...SEED_RULES.groupDiscount!, minQuantity: 1 } },
      startsAt: inDays(10),
    });
    expect(result).toMatchObject({
      groupDiscount: { amount: 50 },
      earlyBirdDiscount: { amount: 33 },
      discountCents: 83,
      totalCents: 250,
    });
  });

  it('takes fixed amounts off the item (amountOffCents)', () => {
    const rules: PricingRules = {
      groupDiscount: { minQuantity: 2, amountOffCents: 1500, type: 'group_flat' },
      earlyBird: { minDaysBefore: 3, amountOffCents: 700, type: 'early_flat' },
    };
    expect(price({ quantity: 2, rules, startsAt: inDays(5) })).toMatchObject({
      originalCents: 20_000,
      groupDiscount: { amount: 1500, type: 'group_flat' },
      earlyBirdDiscount: { amount: 700, type: 'early_flat' },
      discountCents: 2200,
      totalCents: 17_800,
    });
  });

  it('mixes a percentage and an amount, both on the original', () => {
    const rules: PricingRules = {
      groupDiscount: { minQuantity: 2, percentOff: 50, type: 'half' },
      earlyBird: { minDaysBefore: 1, amountOffCents: 4000, type: 'early_flat' },
    };
    expect(price({ quantity: 2, rules, startsAt: inDays(2) })).toMatchObject({ discountCents: 14_000, totalCents: 6000 });
  });

  it('applies the early bird at exactly minDaysBefore days ahead, not one second less', () => {
    const rules: PricingRules = { earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' } };
    const exactly = price({ rules, startsAt: inDays(7) });
    expect(exactly.earlyBirdDiscount).toEqual({ amount: 1000, type: 'early_bird' });
    const almost = price({ rules, startsAt: new Date(inDays(7).getTime() - 1000) });
    expect(almost).toMatchObject({ earlyBirdDiscount: null, discountCents: 0, totalCents: 10_000 });
  });

  it('gives no early bird without a start date or for a start in the past', () => {
    const rules: PricingRules = { earlyBird: { minDaysBefore: 1, percentOff: 10, type: 'early_bird' } };
    expect(price({ rules, startsAt: null }).earlyBirdDiscount).toBeNull();
    expect(price({ rules, startsAt: inDays(-3) }).earlyBirdDiscount).toBeNull();
  });

  it('never goes below zero: the early bird gives way first, then the group discount', () => {
    const early = (amountOffCents: number) => ({ minDaysBefore: 1, amountOffCents, type: 'early' });
    const group = (amountOffCents: number) => ({ minQuantity: 1, amountOffCents, type: 'group' });
    // 800 + 500 > 1000: the early bird shrinks to 200
    expect(
      price({ basePriceCents: 1000, rules: { groupDiscount: group(800), earlyBird: early(500) }, startsAt: inDays(2) }),
    ).toEqual({
      unitPriceCents: 1000,
      originalCents: 1000,
      groupDiscount: { amount: 800, type: 'group' },
      earlyBirdDiscount: { amount: 200, type: 'early' },
      discountCents: 1000,
      totalCents: 0,
    });
    // the group discount alone exceeds the price: the early bird vanishes, the group one is capped
    expect(
      price({ basePriceCents: 1000, rules: { groupDiscount: group(1200), earlyBird: early(500) }, startsAt: inDays(2) }),
    ).toMatchObject({
      groupDiscount: { amount: 1000 },
      earlyBirdDiscount: null,
      discountCents: 1000,
      totalCents: 0,
    });
    // two 60 % discounts: 120 % of the original, capped at 100 %
    const pct = price({
      basePriceCents: 999,
      rules: {
        groupDiscount: { minQuantity: 1, percentOff: 60, type: 'g' },
        earlyBird: { minDaysBefore: 1, percentOff: 60, type: 'e' },
      },
      startsAt: inDays(2),
    });
    expect(pct).toMatchObject({ groupDiscount: { amount: 599 }, earlyBirdDiscount: { amount: 400 }, totalCents: 0 });
  });

  it('prices a free offering at zero without reporting discounts', () => {
    expect(price({ basePriceCents: 0, quantity: 3, rules: SEED_RULES, startsAt: inDays(30) })).toMatchObject({
      originalCents: 0,
      groupDiscount: null,
      earlyBirdDiscount: null,
      totalCents: 0,
    });
  });

  it('prices rentals by days: base x quantity x days', () => {
    const rules: PricingRules = {
      groupDiscount: { minQuantity: 2, percentOff: 10, type: 'multi_unit' },
      earlyBird: { minDaysBefore: 14, percentOff: 5, type: 'early_bird' },
    };
    // one van for 3 days at 4500/day, booked 20 days ahead: 13500 - 5 % (675) = 12825
    expect(price({ basePriceCents: 4500, quantity: 1, units: 3, rules, startsAt: inDays(20) })).toEqual({
      unitPriceCents: 4500,
      originalCents: 13_500,
      groupDiscount: null,
      earlyBirdDiscount: { amount: 675, type: 'early_bird' },
      discountCents: 675,
      totalCents: 12_825,
    });
  });

  it('rejects input no caller should pass', () => {
    expect(() => price({ quantity: 0 })).toThrow(RangeError);
    expect(() => price({ units: 0 })).toThrow(RangeError);
    expect(() => price({ basePriceCents: -1 })).toThrow(RangeError);
    expect(() => price({ quantity: 1.5 })).toThrow(RangeError);
    expect(() => price({ basePriceCents: 100_000_000, quantity: 100_000, units: 100_000 })).toThrow(RangeError);
  });
});

describe('sumPrices', () => {
  it('sums amounts over items, taking each discount type from the first item that has it', () => {
    const a = price({ quantity: 2, rules: SEED_RULES, startsAt: inDays(30) }); // 20000: group 3000, early 2000
    const b = price({ basePriceCents: 5000, quantity: 1, rules: SEED_RULES, startsAt: inDays(30) }); // 5000: early 500
    const c = price({
      basePriceCents: 1000,
      quantity: 4,
      rules: { groupDiscount: { minQuantity: 3, amountOffCents: 400, type: 'other_group' } },
    }); // 4000: group 400
    expect(sumPrices([b, a, c])).toEqual({
      originalCents: 29_000,
      discountCents: 5900,
      totalCents: 23_100,
      appliedDiscounts: {
        groupDiscount: { amount: 3400, type: 'group_5_plus' },
        earlyBirdDiscount: { amount: 2500, type: 'early_bird' },
        totalDiscount: 5900,
      },
    });
  });

  it('reports seed 004 exactly for a single item', () => {
    const summary = sumPrices([price({ quantity: 2, rules: SEED_RULES, startsAt: inDays(30) })]);
    expect(summary).toEqual({
      originalCents: 20_000,
      discountCents: 5000,
      totalCents: 15_000,
      appliedDiscounts: {
        groupDiscount: { amount: 3000, type: 'group_5_plus' },
        earlyBirdDiscount: { amount: 2000, type: 'early_bird' },
        totalDiscount: 5000,
      },
    });
  });

  it('gives nulls when no item has a discount, and zeros for no items', () => {
    expect(sumPrices([price({}), price({ quantity: 2 })]).appliedDiscounts).toEqual({
      groupDiscount: null,
      earlyBirdDiscount: null,
      totalDiscount: 0,
    });
    expect(sumPrices([])).toEqual({
      originalCents: 0,
      discountCents: 0,
      totalCents: 0,
      appliedDiscounts: { groupDiscount: null, earlyBirdDiscount: null, totalDiscount: 0 },
    });
  });

  it('does not alias the first item’s discount object', () => {
    const a = price({ quantity: 2, rules: SEED_RULES, startsAt: inDays(30) });
    const summary = sumPrices([a, a]);
    expect(summary.appliedDiscounts.groupDiscount).toEqual({ amount: 6000, type: 'group_5_plus' });
    expect(a.groupDiscount).toEqual({ amount: 3000, type: 'group_5_plus' });
  });
});

describe('priceDependsOnStart', () => {
  it('is true exactly when an early-bird rule can change the price with the start', () => {
    expect(priceDependsOnStart(SEED_RULES)).toBe(true);
    expect(priceDependsOnStart({ groupDiscount: SEED_RULES.groupDiscount })).toBe(false);
    expect(priceDependsOnStart({})).toBe(false);
    // So a price under rules without one is the same whatever the start:
    const noEarlyBird = { groupDiscount: SEED_RULES.groupDiscount };
    expect(price({ quantity: 2, rules: noEarlyBird, startsAt: inDays(1) })).toEqual(
      price({ quantity: 2, rules: noEarlyBird, startsAt: inDays(90) }),
    );
  });
});
