import type { DataSource } from 'typeorm';
import type { RentalPolicy } from '../../src/catalog/catalog.types';
import { OfferingEntity } from '../../src/catalog/offering.entity';
import type { UnitStatus } from '../../src/inventory/inventory.types';
import { RentalUnitEntity } from '../../src/inventory/rental-unit.entity';
import { StockItemEntity } from '../../src/inventory/stock-item.entity';
import { TimeSlotEntity } from '../../src/inventory/time-slot.entity';

/*
 * Test factories (STYLE.md rule 13): each writes one row straight to the database and
 * returns it as persisted (id, defaults and timestamps read back). They bypass the
 * services on purpose, so tests can set up states the API would refuse (a past slot,
 * a closed one); counters they set by hand are not backed by allocations, so a test
 * that passes `held`/`booked` breaks invariant 1 unless it also writes the ledger.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
let sequence = 0;

export type OfferingOverrides = Partial<
  Pick<
    OfferingEntity,
    | 'kind'
    | 'title'
    | 'description'
    | 'currency'
    | 'basePriceCents'
    | 'active'
    | 'pricingRules'
    | 'refundableUntilHours'
    | 'images'
    | 'attributes'
    | 'weightGrams'
    | 'inventorySource'
    | 'externalItemId'
    | 'vehicle'
    | 'rentalPolicy'
  >
>;

/** A vehicle's rental policy (Paris, 10:00 to 10:00, 300.00 deposit), for `createOffering(ds, { vehicle: true, rentalPolicy })`. */
export const VEHICLE_POLICY: RentalPolicy = {
  pickupTime: '10:00',
  returnTime: '10:00',
  timeZone: 'Europe/Paris',
  deposit: 30_000,
  cancellationFee: 5_000,
  freeCancellationHours: 48,
  lateFeePerHour: 1_500,
  refuelFeePerPercent: 50,
  kmAllowancePerDay: 200,
  feePerExtraKm: 30,
};

/** An offering; by default an active experience at 100.00 EUR per guest with no pricing rules. */
export async function createOffering(ds: DataSource, overrides: OfferingOverrides = {}): Promise<OfferingEntity> {
  const kind = overrides.kind ?? 'experience';
  const repo = ds.getRepository(OfferingEntity);
  const saved = await repo.save(
    repo.create({
      kind,
      title: `Test ${kind} ${++sequence}`,
      description: '',
      currency: 'EUR',
      basePriceCents: 10000,
      active: true,
      pricingRules: {},
      refundableUntilHours: null,
      images: [],
      attributes: {},
      ...overrides,
    }),
  );
  return repo.findOneByOrFail({ id: saved.id });
}

export type SlotOverrides = Partial<Pick<TimeSlotEntity, 'startsAt' | 'endsAt' | 'capacity' | 'held' | 'booked' | 'status'>>;

/**
 * A time slot of an experience; by default open, starting in 10 days, 2 hours long,
 * with 10 places. Given only `startsAt`, it still lasts 2 hours.
 */
export async function createSlot(ds: DataSource, offeringId: string, overrides: SlotOverrides = {}): Promise<TimeSlotEntity> {
  const startsAt = overrides.startsAt ?? new Date(Date.now() + 10 * DAY_MS);
  const repo = ds.getRepository(TimeSlotEntity);
  const { identifiers } = await repo.insert({
    offeringId,
    capacity: 10,
    held: 0,
    booked: 0,
    status: 'open',
    ...overrides,
    startsAt,
    endsAt: overrides.endsAt ?? new Date(startsAt.getTime() + 2 * HOUR_MS),
  });
  return repo.findOneByOrFail({ id: identifiers[0].id as string });
}

/** A SKU of a product with `onHand` units, none held or sold. */
export async function createStock(ds: DataSource, offeringId: string, sku: string, onHand: number): Promise<StockItemEntity> {
  const repo = ds.getRepository(StockItemEntity);
  const { identifiers } = await repo.insert({ offeringId, sku, onHand, held: 0, sold: 0 });
  return repo.findOneByOrFail({ id: identifiers[0].id as string });
}

export type UnitOverrides = Partial<
  Pick<RentalUnitEntity, 'plate' | 'model' | 'seats' | 'energy' | 'fleetVehicleId' | 'fleetStatus'>
>;

/** A unit of a rental offering, `available` (ours and the fleet's) unless told otherwise; vehicle fields by `overrides`. */
export async function createUnit(
  ds: DataSource,
  offeringId: string,
  label: string,
  status: UnitStatus = 'available',
  overrides: UnitOverrides = {},
): Promise<RentalUnitEntity> {
  const repo = ds.getRepository(RentalUnitEntity);
  const { identifiers } = await repo.insert({ offeringId, label, status, ...overrides });
  return repo.findOneByOrFail({ id: identifiers[0].id as string });
}
