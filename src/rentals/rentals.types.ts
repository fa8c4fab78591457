import type { DisputeReason, FineKind } from './settlement';

/** The fine kinds, for callers outside rentals (the admin GraphQL API's enum). */
export { FINE_KINDS } from './settlement';

/** DESIGN.md section 4: where a vehicle rental stands, beside the reservation's `status`. */
export const RENTAL_STATUSES = ['not_started', 'in_progress', 'returned', 'return_disputed', 'completed'] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];

/** The policy agreed at booking (a copy of the offering's, so a later edit changes no rental). */
export interface AgreedPolicy {
  pickupTime: string;
  returnTime: string;
  timeZone: string;
  deposit: number;
  cancellationFee: number;
  freeCancellationHours: number;
  lateFeePerHour: number;
  refuelFeePerPercent: number;
  kmAllowancePerDay: number;
  feePerExtraKm: number;
}

export interface ReturnPhoto {
  key: string;
  sha256: string;
  size: number;
  contentType: string;
}

/** A rental as its module reads it. */
export interface Rental {
  reservationId: string;
  userId: string;
  offeringId: string;
  unitId: string;
  currency: string;
  priceCents: number;
  depositCents: number;
  policy: AgreedPolicy;
  pickupAt: Date;
  returnAt: Date;
  days: number;
  rentalStatus: RentalStatus;
  startedAt: Date | null;
  lastUnlockedAt: Date | null;
  unlocks: number;
  pickupOdometerKm: number | null;
  pickupEnergyPercent: number | null;
  returnedAt: Date | null;
  returnOdometerKm: number | null;
  returnEnergyPercent: number | null;
  returnReadingSource: 'telematics' | 'customer' | null;
  customerOdometerKm: number | null;
  customerEnergyPercent: number | null;
  returnLatitude: number | null;
  returnLongitude: number | null;
  returnNotes: string | null;
  photos: ReturnPhoto[];
  disputes: DisputeReason[];
  verifiedBy: string | null;
  verificationNote: string | null;
  completedAt: Date | null;
}

/** One fine line: what is owed now, what was first assessed (the difference was waived), who set it. */
export interface RentalFine {
  kind: FineKind;
  amountCents: number;
  assessedCents: number;
  reason: string;
  setBy: string;
  updatedAt: Date;
}
