/**
 * Prices of reservation items, as pure functions (no Nest, no TypeORM, no clock: the
 * caller passes `now`). The rules (DESIGN.md section 4, seed 004):
 *
 * - original = base price x quantity x units (units: 1 for experiences and products,
 *   the number of days for rentals);
 * - the group discount applies when the item's quantity reaches `minQuantity`; the
 *   early-bird discount when the item starts at least `minDaysBefore` whole days from now;
 * - every discount is computed on the ORIGINAL price, never on an already discounted
 *   one, and the discounts are summed: 20000 - 15 % - 10 % = 20000 - 3000 - 2000 = 15000;
 * - percentages are rounded half up to the minor unit (15 % of 333 = 49.95 -> 50);
 * - the total never goes below zero: when the discounts exceed the original, the early
 *   bird is reduced first, then the group discount.
 */
const DAY_MS = 86_400_000;
function assertCount(name, value, min) {
    if (!Number.isSafeInteger(value) || value < min) {
        throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
    }
}
/**
 * `originalCents x percentOff / 100`, rounded half up, in exact integer arithmetic
 * (BigInt, so that neither a float such as 49.95 nor a large product can round wrongly).
 */
function percentOf(originalCents, percentOff) {
    const basisPoints = BigInt(Math.round(percentOff * 100)); // 12.5 % -> 1250
    return Number((BigInt(originalCents) * basisPoints * 2n + 10000n) / 20000n);
}
/** What a rule takes off the original price, before capping. Percentage wins over a (malformed) rule with both. */
function discountAmount(originalCents, rule) {
    if (typeof rule.percentOff === 'number' && rule.percentOff > 0) {
        return percentOf(originalCents, Math.min(rule.percentOff, 100));
    }
    if (typeof rule.amountOffCents === 'number' && rule.amountOffCents > 0) {
        return Math.round(rule.amountOffCents);
    }
    return 0;
}
function applied(amount, type) {
    return amount > 0 ? { amount, type } : null;
}
/** True when a price under these rules depends on when the booking starts (an early-bird rule). */
export function priceDependsOnStart(rules) {
    return rules.earlyBird !== undefined && rules.earlyBird !== null;
}
/**
 * Prices one reservation item. Throws RangeError on input no caller should pass
 * (a negative price, a quantity or units below 1, or an original beyond 2^53).
 */
export function priceItem(input) {
    const { basePriceCents, quantity, units, rules, startsAt, now } = input;
    assertCount('basePriceCents', basePriceCents, 0);
    assertCount('quantity', quantity, 1);
    assertCount('units', units, 1);
    const originalCents = basePriceCents * quantity * units;
    assertCount('originalCents', originalCents, 0);
    const group = rules.groupDiscount;
    let groupCents = group && quantity >= group.minQuantity ? discountAmount(originalCents, group) : 0;
    const early = rules.earlyBird;
    let earlyCents = early && startsAt && startsAt.getTime() - now.getTime() >= early.minDaysBefore * DAY_MS
        ? discountAmount(originalCents, early)
        : 0;
    // Never below zero: take the excess off the early bird first, then off the group discount.
    let excess = groupCents + earlyCents - originalCents;
    if (excess > 0) {
        const fromEarly = Math.min(excess, earlyCents);
        earlyCents -= fromEarly;
        excess -= fromEarly;
        groupCents -= excess;
    }
    const discountCents = groupCents + earlyCents;
    return {
        unitPriceCents: basePriceCents,
        originalCents,
        groupDiscount: group ? applied(groupCents, group.type) : null,
        earlyBirdDiscount: early ? applied(earlyCents, early.type) : null,
        discountCents,
        totalCents: originalCents - discountCents,
    };
}
function sumDiscount(items, pick) {
    let sum = null;
    for (const item of items) {
        const discount = pick(item);
        if (!discount)
            continue;
        sum = sum ? { amount: sum.amount + discount.amount, type: sum.type } : { ...discount };
    }
    return sum;
}
/**
 * Totals of a whole reservation: amounts summed over its items; each discount's `type`
 * is that of the first item that has the discount. No items: zeros and no discounts.
 */
export function sumPrices(items) {
    const originalCents = items.reduce((sum, item) => sum + item.originalCents, 0);
    const discountCents = items.reduce((sum, item) => sum + item.discountCents, 0);
    return {
        originalCents,
        discountCents,
        totalCents: originalCents - discountCents,
        appliedDiscounts: {
            groupDiscount: sumDiscount(items, (item) => item.groupDiscount),
            earlyBirdDiscount: sumDiscount(items, (item) => item.earlyBirdDiscount),
            totalDiscount: discountCents,
        },
    };
}
//# sourceMappingURL=pricing.js.map