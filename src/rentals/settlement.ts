/**
 * What a returned rental owes, from its policy and the facts of the return (DESIGN.md
 * section 12, "Return" and "Capture and fines"). Pure: no clock, no database.
 *
 * Automatic verification prices what the policy prices (lateness after the grace,
 * missing energy, distance over the allowance) and completes the rental. A return the
 * policy cannot price is disputed and waits for an admin: photos missing, readings
 * missing or impossible (the odometer went backwards), the customer's readings
 * contradicting telematics', or a return more than a day late (a person should look).
 */

/** The parts of an offering's rental policy that price a return (money in minor units). */
export interface ReturnPricing {
  lateFeePerHour: number;
  refuelFeePerPercent: number;
  kmAllowancePerDay: number;
  feePerExtraKm: number;
}

export interface Reading {
  odometerKm: number | null;
  energyLevelPercent: number | null;
}

export interface ReturnFacts {
  /** When the rental was due back (the return time of the last day, in the policy's zone). */
  dueAt: Date;
  returnedAt: Date;
  /** Rental days (the allowance is per day). */
  days: number;
  pickup: Reading;
  /** What the customer reported at return. */
  customer: Reading;
  /** Telematics' readings at the last lock, where it reports them: these win. */
  telematics: Reading | null;
  photos: number;
  minPhotos: number;
}

export const FINE_KINDS = ['late', 'refuel', 'distance', 'damage', 'cleaning', 'other'] as const;
export type FineKind = (typeof FINE_KINDS)[number];

export const DISPUTE_REASONS = [
  'photos_missing',
  'readings_missing',
  'odometer_backwards',
  'readings_mismatch',
  'very_late',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export interface AssessedFine {
  kind: FineKind;
  amount: number;
  reason: string;
}

export interface ReturnAssessment {
  /** The readings used: telematics' where it gave them, else the customer's. */
  returned: Reading & { source: 'telematics' | 'customer' };
  fines: AssessedFine[];
  /** Empty: verified automatically. */
  disputes: DisputeReason[];
}

/** Lateness up to this is free. */
export const LATE_GRACE_MINUTES = 30;
/** Later than this, a person looks at the return. */
export const DISPUTE_LATE_HOURS = 24;
/** How far the customer's readings may be from telematics' before they contradict them. */
export const ODOMETER_TOLERANCE_KM = 5;
export const ENERGY_TOLERANCE_PERCENT = 5;

const MINUTE = 60_000;

/** Started hours after the grace: 31 minutes late is one hour, 91 minutes two. */
export function lateHours(dueAt: Date, returnedAt: Date): number {
  const afterGrace = returnedAt.getTime() - dueAt.getTime() - LATE_GRACE_MINUTES * MINUTE;
  return afterGrace > 0 ? Math.ceil(afterGrace / (60 * MINUTE)) : 0;
}

function effective(facts: ReturnFacts): ReturnAssessment['returned'] {
  const t = facts.telematics;
  return {
    odometerKm: t?.odometerKm ?? facts.customer.odometerKm,
    energyLevelPercent: t?.energyLevelPercent ?? facts.customer.energyLevelPercent,
    source: t && (t.odometerKm !== null || t.energyLevelPercent !== null) ? 'telematics' : 'customer',
  };
}

function contradicts(customer: Reading, telematics: Reading | null): boolean {
  if (!telematics) return false;
  const far = (a: number | null, b: number | null, tolerance: number) => a !== null && b !== null && Math.abs(a - b) > tolerance;
  return (
    far(customer.odometerKm, telematics.odometerKm, ODOMETER_TOLERANCE_KM) ||
    far(customer.energyLevelPercent, telematics.energyLevelPercent, ENERGY_TOLERANCE_PERCENT)
  );
}

export function assessReturn(policy: ReturnPricing, facts: ReturnFacts): ReturnAssessment {
  const returned = effective(facts);
  const disputes: DisputeReason[] = [];
  const fines: AssessedFine[] = [];
  if (facts.photos < facts.minPhotos) disputes.push('photos_missing');
  const { pickup } = facts;
  const readable =
    pickup.odometerKm !== null &&
    pickup.energyLevelPercent !== null &&
    returned.odometerKm !== null &&
    returned.energyLevelPercent !== null;
  if (!readable) disputes.push('readings_missing');
  if (readable && returned.odometerKm! < pickup.odometerKm!) disputes.push('odometer_backwards');
  if (contradicts(facts.customer, facts.telematics)) disputes.push('readings_mismatch');
  if (facts.returnedAt.getTime() - facts.dueAt.getTime() > DISPUTE_LATE_HOURS * 60 * MINUTE) disputes.push('very_late');

  const hours = lateHours(facts.dueAt, facts.returnedAt);
  if (hours > 0 && policy.lateFeePerHour > 0) {
    fines.push({ kind: 'late', amount: hours * policy.lateFeePerHour, reason: `${hours} started hour(s) late after the grace` });
  }
  if (readable) {
    const missing = pickup.energyLevelPercent! - returned.energyLevelPercent!;
    if (missing > 0 && policy.refuelFeePerPercent > 0) {
      fines.push({ kind: 'refuel', amount: Math.ceil(missing) * policy.refuelFeePerPercent, reason: `${missing}% below pickup` });
    }
    const over = returned.odometerKm! - pickup.odometerKm! - policy.kmAllowancePerDay * facts.days;
    if (over > 0 && policy.feePerExtraKm > 0 && !disputes.includes('odometer_backwards')) {
      fines.push({ kind: 'distance', amount: Math.ceil(over) * policy.feePerExtraKm, reason: `${over} km over the allowance` });
    }
  }
  return { returned, fines, disputes };
}

/** The live fines of a rental: what is owed on top of the price. */
export interface FineLine {
  kind: FineKind;
  amount: number;
  waived: boolean;
}

/** Price plus the fines not waived: what the rental costs once settled (invariant 6's right side, with the fee). */
export function amountDue(price: number, fines: FineLine[], cancellationFee = 0): number {
  return price + cancellationFee + fines.filter((f) => !f.waived).reduce((sum, f) => sum + f.amount, 0);
}

/**
 * How a due amount is taken: from the authorisation up to what it holds (nothing is
 * captured above an authorisation), the rest as an off-session charge (`purpose: fine`).
 */
export function splitDue(due: number, authorised: number): { capture: number; charge: number } {
  const capture = Math.min(due, authorised);
  return { capture, charge: due - capture };
}
