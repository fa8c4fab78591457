import type { OfferingEntity } from './offering.entity';

/**
 * An offering as other modules read it (`CatalogService.getOffering`/`getOfferings`
 * return these): the entity's shape as a type only, so no other module can reach the
 * entity's repository and write through it.
 */
export type Offering = Readonly<OfferingEntity>;

/** A vehicle offering's rental policy and the period it gives booked dates (see rental-policy.ts for `rentalPeriod`). */
export type { RentalPeriod, RentalPolicy } from './rental-policy';
