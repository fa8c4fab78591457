import { Injectable } from '@nestjs/common';
import { AppError } from '@holdfast/errors';
import { InventoryRepository } from './inventory.repository';
import { KeyedGate } from './keyed-gate';
import { ExternalAllocations } from './external-allocations';
import { isUuid } from './offering-kind';
import { RentalUnitsRepository } from './rental-units.repository';
import type {
  AllocationRequest,
  ExternalAllocation,
  ExternalAllocationRequest,
  RentalUnitInfo,
  ReservedUnit,
  ShortageHandler,
  ShortResource,
  SlotInfo,
  StockInfo,
} from './inventory.types';

/**
 * Inventory's fragment of a one-slot hold made in ONE statement (one round trip, its own
 * transaction): the CTEs that take the places, `inv_taken` and `inv_allocation`. The
 * caller's other writes select FROM `inv_taken`, so they happen exactly when the places
 * were taken. When nothing is taken the caller learns no reason: it runs `allocate` in a
 * transaction, which reclaims and explains. A pure function, kept beside the rest of the
 * SQL that moves capacity (inventory.repository.ts) and exported here, the module's face;
 * src/reservations/hold-statement.ts composes it.
 */
export { slotTakeCtes } from './inventory.repository';

/**
 * Inventory's fragment of the sweep's one-statement batch (src/reservations/expiry-statement.ts):
 * the CTEs that release many reservations' allocations and IMS items and give their places
 * back, counters locked in the global order and last. The IMS reservations it returns are
 * given back at the IMS with `releaseAtIms` once the statement has committed.
 */
export { releaseCtes, type ReleaseCtes } from './inventory.repository';

const RESOURCE_ORDER = { slot: 0, sku: 1, unit: 2 } as const;

/** What our own ledger allocates (external items go to the IMS, after these). */
type InternalRequest = Exclude<AllocationRequest, ExternalAllocationRequest>;
/** Long, because nothing the cache says is trusted without the database agreeing (see getSlotForHold). */
const SLOT_CACHE_MS = 60_000;
const SLOT_CACHE_MAX = 50_000;
/**
 * How many of this process's holds may work on one rental offering at once: one holds
 * the offering's lock and inserts, one checks (and is usually refused at once, or next
 * in line); the rest wait in memory, not on a pooled connection.
 */
const UNIT_TAKERS_PER_OFFERING = 2;

function resourceKey(request: InternalRequest): string {
  if (request.kind === 'slot') return request.slotId;
  if (request.kind === 'sku') return request.stockItemId;
  return `${request.offeringId}|${request.start.toISOString()}`;
}

/**
 * The only way capacity changes (DESIGN.md section 2). Callers run these methods inside
 * their own transaction; a failed allocation throws, and the caller's rollback undoes
 * whatever part of a cart was already taken.
 */
@Injectable()
export class InventoryService {
  private readonly slots = new Map<string, { slot: SlotInfo; until: number }>();
  private readonly unitTakers = new KeyedGate(UNIT_TAKERS_PER_OFFERING);

  constructor(
    private readonly repo: InventoryRepository,
    private readonly external: ExternalAllocations,
    private readonly units: RentalUnitsRepository,
  ) {}

  /** A time slot as it is now, or null. */
  getSlot(id: string): Promise<SlotInfo | null> {
    return this.repo.findSlot(id);
  }

  /** These time slots as they are now, by id (for showing what was booked); unknown ids are left out. */
  async getSlots(ids: string[]): Promise<Map<string, SlotInfo>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    return new Map((await this.repo.findSlots(wanted)).map((slot) => [slot.id, slot]));
  }

  /**
   * A time slot as it was at most SLOT_CACHE_MS ago, for pricing a hold by its start
   * (with `fresh`, as it is now, and the cache refreshed with it). Safe to be stale: the
   * one-statement hold takes places only if the slot still starts at the time it priced
   * with, still belongs to the offering, is open, in the future and has places left, and
   * falls back to a fresh read otherwise; `allocate` decides places under its own update.
   */
  async getSlotForHold(id: string, { fresh = false } = {}): Promise<SlotInfo | null> {
    const cached = this.slots.get(id);
    if (cached && cached.until > Date.now() && !fresh) return cached.slot;
    const slot = await this.repo.findSlot(id);
    if (!slot) {
      this.slots.delete(id);
      return null;
    }
    if (this.slots.size >= SLOT_CACHE_MAX) this.slots.clear();
    this.slots.set(id, { slot, until: Date.now() + SLOT_CACHE_MS });
    return slot;
  }

  /** Drops a slot from this process's cache (after an admin change). */
  forgetSlot(id: string): void {
    this.slots.delete(id);
  }

  /**
   * A rental unit as it is now (label, admin status, and for vehicles plate, model, seats,
   * energy, fleet vehicle id and fleet status), or null for an unknown or malformed id.
   */
  async getUnit(unitId: string): Promise<RentalUnitInfo | null> {
    return isUuid(unitId) ? this.units.find(unitId) : null;
  }

  /** These rental units as they are now, by id; unknown and malformed ids are left out. */
  async getUnits(unitIds: string[]): Promise<Map<string, RentalUnitInfo>> {
    const wanted = [...new Set(unitIds)].filter(isUuid);
    if (wanted.length === 0) return new Map();
    return new Map((await this.units.findMany(wanted)).map((unit) => [unit.id, unit]));
  }

  /**
   * The rental unit the allocation ledger gives a reservation item, with the allocation's
   * state and period, and the unit as it is now (its fleet status included): the live
   * allocation (`held` or `committed`) if there is one, else the latest released one (so a
   * cancelled or expired booking still names its vehicle). Null when the item never had a
   * unit (another kind of item, an external rental, an unknown or malformed id). Reads the
   * caller's transaction when there is one.
   */
  async unitForReservationItem(reservationItemId: string): Promise<ReservedUnit | null> {
    return isUuid(reservationItemId) ? this.units.forReservationItem(reservationItemId) : null;
  }

  /** `unitForReservationItem` for every rental item of a reservation at once (items with no unit left out). */
  async unitsOfReservation(reservationId: string): Promise<ReservedUnit[]> {
    return isUuid(reservationId) ? this.units.forReservation(reservationId) : [];
  }

  /**
   * `unitsOfReservation` for many reservations at once, in ONE query (a page or chunk of
   * bookings, e.g. the analytics export); malformed ids are left out.
   */
  async unitsOfReservations(reservationIds: string[]): Promise<ReservedUnit[]> {
    const wanted = [...new Set(reservationIds)].filter(isUuid);
    return wanted.length === 0 ? [] : this.units.forReservations(wanted);
  }

  /** A SKU's stock as it is now, or null. */
  getStockBySku(sku: string): Promise<StockInfo | null> {
    return this.repo.findStockBySku(sku);
  }

  /**
   * Allocates everything a reservation needs, all or nothing, in the global lock order
   * (slots, then SKUs, then rental units, each by id), so two carts that want the same
   * resources in different orders never deadlock. When a resource is short, `onShortage`
   * may reclaim expired holds on it, and the allocation is tried once more.
   *
   * @throws AppError NOT_ENOUGH_CAPACITY or TIME_SLOT_NOT_AVAILABLE; the caller must roll back.
   */
  async allocate(reservationId: string, requests: AllocationRequest[], onShortage?: ShortageHandler): Promise<void> {
    const internal = requests.filter((r): r is InternalRequest => r.kind !== 'external');
    const external = requests.filter((r): r is ExternalAllocationRequest => r.kind === 'external');
    const ordered = [...internal].sort(
      (a, b) =>
        RESOURCE_ORDER[a.kind] - RESOURCE_ORDER[b.kind] ||
        (resourceKey(a) < resourceKey(b) ? -1 : resourceKey(a) > resourceKey(b) ? 1 : 0),
    );
    for (const request of ordered) {
      if (await this.take(reservationId, request)) continue;
      if (onShortage && (await onShortage(this.shortResource(request))) && (await this.take(reservationId, request))) continue;
      throw await this.shortageError(request);
    }
    // Last: the IMS is asked only once everything of ours is taken (DESIGN.md section 10).
    if (external.length > 0) await this.external.reserve(reservationId, external);
  }

  /**
   * Runs `fn`, a whole transaction that will allocate units of these rental offerings,
   * once this process has fewer than UNIT_TAKERS_PER_OFFERING such transactions running
   * on each of them. Call it OUTSIDE the transaction: a crowd of holds on one offering
   * (they take its lock in turn, see `InventoryRepository.takeUnit`) then queues in
   * memory instead of on pooled connections, and unrelated requests keep theirs.
   */
  whileTakingUnits<T>(offeringIds: string[], fn: () => Promise<T>): Promise<T> {
    if (offeringIds.length === 0) return fn();
    return this.unitTakers.run(offeringIds, fn);
  }

  /** Gives back every live allocation of these reservations (their IMS items too, after the commit). */
  async release(reservationIds: string[]): Promise<number> {
    await this.external.release(reservationIds);
    return this.repo.releaseFor(reservationIds);
  }

  /**
   * Gives back at the IMS, best effort and not awaited, these IMS reservations that a
   * committed statement marked released (`releaseCtes`' `imsReservationIds`).
   */
  releaseAtIms(imsReservationIds: string[]): void {
    this.external.releaseAtIms(imsReservationIds);
  }

  /** What a reservation holds at the IMS (none for internal-only reservations). */
  externalAllocationsOf(reservationId: string): Promise<ExternalAllocation[]> {
    return this.external.of(reservationId);
  }

  /**
   * Confirms a paid reservation's order at the IMS (idempotent by its id); null when it
   * holds nothing there. Throws ImsUnavailableError (try again later) or ImsRejectedError
   * (the IMS refuses for good).
   */
  confirmExternal(reservationId: string): Promise<{ orderId: string } | null> {
    return this.external.confirm(reservationId);
  }

  /** Records that the IMS refused the order for good. */
  rejectExternal(reservationId: string): Promise<void> {
    return this.external.reject(reservationId);
  }

  /** Makes a reservation's held allocations permanent (on confirmation). */
  commit(reservationId: string): Promise<number> {
    return this.repo.commitFor(reservationId);
  }

  /** Reservations holding (not yet committed) part of a resource. */
  holdersOn(resource: ShortResource): Promise<string[]> {
    if (resource.kind === 'slot') return this.repo.holdersOn({ slotId: resource.slotId });
    if (resource.kind === 'sku') return this.repo.holdersOn({ stockItemId: resource.stockItemId });
    return this.repo.holdersOn({ offeringId: resource.offeringId, start: resource.start, end: resource.end });
  }

  private async take(reservationId: string, request: InternalRequest): Promise<boolean> {
    switch (request.kind) {
      case 'slot':
        return this.repo.takeSlot(request.slotId, request.quantity, reservationId, request.itemId);
      case 'sku':
        return this.repo.takeStock(request.stockItemId, request.quantity, reservationId, request.itemId);
      case 'unit':
        return (await this.repo.takeUnit(request.offeringId, request.start, request.end, reservationId, request.itemId)) !== null;
    }
  }

  private shortResource(request: InternalRequest): ShortResource {
    if (request.kind === 'slot') return { kind: 'slot', slotId: request.slotId };
    if (request.kind === 'sku') return { kind: 'sku', stockItemId: request.stockItemId };
    return { kind: 'unit', offeringId: request.offeringId, start: request.start, end: request.end };
  }

  /**
   * Says why a take failed (DESIGN.md section 6, seed 004): the slot closed or started
   * meanwhile, or is full (TIME_SLOT_NOT_AVAILABLE, 400); it has places left but fewer
   * than asked (NOT_ENOUGH_CAPACITY, 409); too little stock, no rental unit free (409).
   */
  private async shortageError(request: InternalRequest): Promise<AppError> {
    if (request.kind === 'slot') {
      const slot = await this.repo.findSlot(request.slotId);
      if (!slot) return new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist');
      if (slot.status !== 'open' || slot.startsAt.getTime() <= Date.now()) {
        return new AppError('TIME_SLOT_NOT_AVAILABLE', 'This time slot is no longer available');
      }
      const left = slot.capacity - slot.held - slot.booked;
      if (left <= 0) return new AppError('TIME_SLOT_NOT_AVAILABLE', 'This time slot is full');
      return new AppError(
        'NOT_ENOUGH_CAPACITY',
        `Not enough places left in this time slot (${left} left, ${request.quantity} asked)`,
      );
    }
    if (request.kind === 'sku') return new AppError('NOT_ENOUGH_CAPACITY', `Not enough stock left (${request.quantity} asked)`);
    return new AppError('NOT_ENOUGH_CAPACITY', 'No unit is free for these dates');
  }
}
