/** One thing a reservation item needs from inventory. */
export type AllocationRequest =
  | { kind: 'slot'; itemId: string; slotId: string; quantity: number }
  | { kind: 'sku'; itemId: string; stockItemId: string; quantity: number }
  | { kind: 'unit'; itemId: string; offeringId: string; start: Date; end: Date }
  | ExternalAllocationRequest;

/**
 * An item of an external offering, reserved at the Inventory Management System (DESIGN.md
 * section 10) after everything internal: so many units of a product, or a rental item for
 * `[startDate, endDate)`, for `durationMinutes` (the hold's time plus a 15-minute grace).
 */
export interface ExternalAllocationRequest {
  kind: 'external';
  itemId: string;
  offeringId: string;
  imsItemId: string;
  quantity?: number;
  startDate?: string;
  endDate?: string;
  durationMinutes: number;
}

/** An item a reservation holds at the IMS. */
export interface ExternalAllocation {
  id: string;
  reservationId: string;
  imsItemId: string;
  imsReservationId: string;
  status: 'held' | 'confirmed' | 'released' | 'rejected';
  expiresAt: Date;
  imsOrderId: string | null;
}

/** A resource that ran short, handed to the caller so it can reclaim expired holds on it. */
export type ShortResource =
  | { kind: 'slot'; slotId: string }
  | { kind: 'sku'; stockItemId: string }
  | { kind: 'unit'; offeringId: string; start: Date; end: Date };

/**
 * Called when a resource has too little left; returns true if it freed something (by
 * expiring holds past their time), in which case the allocation is tried once more.
 */
export type ShortageHandler = (resource: ShortResource) => Promise<boolean>;

export interface SlotInfo {
  id: string;
  offeringId: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  held: number;
  booked: number;
  status: 'open' | 'closed' | 'cancelled';
}

export interface StockInfo {
  id: string;
  offeringId: string;
  sku: string;
  onHand: number;
  held: number;
  sold: number;
}

/** Places of one slot to take for a reservation item (see `slotTakeCtes`). */
export interface SlotTake {
  slotId: string;
  quantity: number;
  reservationId: string;
  itemId: string;
  /** The id of the allocation (ledger row) it writes. */
  allocationId: string;
  /** Take only if the slot still starts then (the hold was priced for that start). */
  startsAt?: Date;
  /** Take only if the slot still belongs to this offering. */
  offeringId?: string;
  /** More SQL conditions that must all hold for the places to be taken. */
  guards?: string[];
}

/** A vehicle's energy (DESIGN.md section 12). */
export const VEHICLE_ENERGIES = ['fuel', 'electric'] as const;
export type VehicleEnergy = (typeof VEHICLE_ENERGIES)[number];

/**
 * What the fleet says about a unit (DESIGN.md sections 3 and 12), apart from our own admin
 * `status`: `available` or `in_use` (being driven) can be held; `maintenance` and
 * `out_of_service` never are, and cannot be unlocked.
 */
export const FLEET_STATUSES = ['available', 'in_use', 'maintenance', 'out_of_service'] as const;
export type FleetStatus = (typeof FLEET_STATUSES)[number];

/** Fleet statuses under which a unit is never allocated. */
export const FLEET_STATUSES_NOT_HOLDABLE: readonly FleetStatus[] = ['maintenance', 'out_of_service'];

/** Our admin status of a rental unit: only `available` units are rented. */
export const UNIT_STATUSES = ['available', 'maintenance', 'retired'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/**
 * A rental unit as other modules read it (`InventoryService.getUnit`, `unitForReservationItem`).
 * The vehicle fields are null for units that are not vehicles (carriers).
 */
export interface RentalUnitInfo {
  id: string;
  offeringId: string;
  label: string;
  /** Our admin status. */
  status: UnitStatus;
  plate: string | null;
  model: string | null;
  seats: number | null;
  energy: VehicleEnergy | null;
  /** The fleet's id of the vehicle (events name it `vehicleId`); unique. */
  fleetVehicleId: string | null;
  fleetStatus: FleetStatus;
}

/** The unit a reservation item holds or held, from the allocation ledger. */
export interface ReservedUnit {
  reservationId: string;
  reservationItemId: string;
  /** The ledger row's state: `held` (a hold), `committed` (booked), `released` (given back). */
  allocationState: 'held' | 'committed' | 'released';
  /** The allocated period `[start, end)` (today: the booked dates at 00:00 UTC). */
  start: Date;
  end: Date;
  unit: RentalUnitInfo;
}

/** A unit's allocation as maintenance sees it (UnitMaintenanceService). */
export interface UnitAllocation {
  id: string;
  /** `booking` (a reservation item's) or `maintenance` (a fleet block). */
  purpose: 'booking' | 'maintenance';
  reservationId: string | null;
  reservationItemId: string | null;
  unitId: string;
  state: 'held' | 'committed' | 'released';
  maintenanceId: string | null;
  start: Date;
  end: Date;
}
