import type { Clock } from '@holdfast/clock';
import { checkRange } from './ims-http.client';
import {
  ImsRefusedError,
  ImsRejectedError,
  ImsUnavailableError,
  type ImsAvailability,
  type ImsOrder,
  type ImsReservation,
  type ImsReserveRequest,
  type ImsStock,
  type InventorySystem,
  type SimulatedItemSeed,
} from './ims.port';

const DAY_MS = 86_400_000;
/** The longest range a rental reservation or an availability question may span. */
const MAX_RANGE_DAYS = 366;

interface SimulatedReservation {
  id: string;
  itemId: string;
  reference: string;
  /** Products: units taken. Rentals: 1. */
  quantity: number;
  /** Rentals: the days taken, as day numbers since the epoch, `[startDay, endDay)`. */
  startDay?: number;
  endDay?: number;
  expiresAtMs: number;
  state: 'reserved' | 'confirmed' | 'released';
  /** What made it, so the same request again answers it (Idempotency-Key semantics). */
  key: string;
}

/**
 * An IMS in process (IMS_MODE=simulated, the embedded default): its own stock per product,
 * a fixed number of units per rental item with availability by date range, reservations
 * that lapse after their duration, `confirm_order` idempotent by reference, and release.
 * Time comes from the app's Clock, so a test moves it instead of waiting.
 *
 * Deterministic (ids count up) and safe under concurrent calls in one process: every
 * method checks and writes with no `await` in between, so two reserves of the last unit
 * cannot both see it free. The HTTP fake in test/support/fake-ims.ts serves this same model.
 */
export class SimulatedIms implements InventorySystem {
  readonly mode = 'simulated' as const;
  readonly releaseSupported = true;
  private readonly items = new Map<string, { stock: number } | { units: number }>();
  private readonly reservations = new Map<string, SimulatedReservation>();
  private readonly byKey = new Map<string, string>();
  private readonly orders = new Map<string, { orderId: string; reservationIds: string[] }>();
  private nextReservation = 1;
  private nextOrder = 1;

  constructor(private readonly clock: Clock) {}

  /** Adds an item, or resets its stock or units (reservations already made stay). */
  seed(itemId: string, seed: SimulatedItemSeed): void {
    const count = 'stock' in seed ? seed.stock : seed.units;
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('stock and units must be non-negative integers');
    this.items.set(itemId, 'stock' in seed ? { stock: seed.stock } : { units: seed.units });
  }

  /** The reservations made so far (for tests and the fake's request log). */
  reservationCount(): number {
    return this.reservations.size;
  }

  /** Whether a reservation id was ever made here. */
  has(reservationId: string): boolean {
    return this.reservations.has(reservationId);
  }

  /** The orders confirmed so far. */
  orderCount(): number {
    return this.orders.size;
  }

  breakerOpen(): boolean {
    return false;
  }

  stock(itemId: string): Promise<ImsStock> {
    return settle(() => ({ itemId, available: this.stockLeft(itemId, this.product(itemId)) }));
  }

  availability(itemId: string, startDate: string, endDate: string): Promise<ImsAvailability> {
    return settle(() => {
      const [startDay, endDay] = days(startDate, endDate);
      const unitsAvailable = this.unitsLeft(itemId, this.rental(itemId), startDay, endDay);
      return { itemId, available: unitsAvailable > 0, unitsAvailable };
    });
  }

  reserve(request: ImsReserveRequest, reference: string, durationMinutes: number): Promise<ImsReservation> {
    return settle(() => {
      if (!Number.isInteger(durationMinutes) || durationMinutes < 1)
        throw new RangeError('durationMinutes must be a positive integer');
      const dates = 'quantity' in request ? '' : `-${request.startDate}-${request.endDate}`;
      const key = `hold-${reference}-${request.itemId}${dates}`;
      const earlier = this.reservations.get(this.byKey.get(key) ?? '');
      if (earlier && this.live(earlier)) return view(earlier);

      const nowMs = this.clock.nowMs();
      const reservation: SimulatedReservation = {
        id: `sim-res-${this.nextReservation}`,
        itemId: request.itemId,
        reference,
        quantity: 1,
        expiresAtMs: nowMs + durationMinutes * 60_000,
        state: 'reserved',
        key,
      };
      if ('quantity' in request) {
        if (!Number.isInteger(request.quantity) || request.quantity < 1)
          throw new RangeError('quantity must be a positive integer');
        if (this.stockLeft(request.itemId, this.product(request.itemId)) < request.quantity)
          throw new ImsRefusedError(request.itemId);
        reservation.quantity = request.quantity;
      } else {
        const [startDay, endDay] = days(request.startDate, request.endDate);
        if (this.unitsLeft(request.itemId, this.rental(request.itemId), startDay, endDay) < 1) {
          throw new ImsRefusedError(request.itemId);
        }
        Object.assign(reservation, { startDay, endDay });
      }
      this.nextReservation++;
      this.reservations.set(reservation.id, reservation);
      this.byKey.set(key, reservation.id);
      return view(reservation);
    });
  }

  confirmOrder(reference: string, reservationIds: string[]): Promise<ImsOrder> {
    return settle(() => {
      const done = this.orders.get(reference);
      if (done) {
        if (!sameSet(done.reservationIds, reservationIds)) {
          throw new ImsRejectedError(reference, 409, `Order ${reference} was confirmed with other reservations`);
        }
        return { orderId: done.orderId };
      }
      if (reservationIds.length === 0) throw new RangeError('confirmOrder needs at least one reservation id');
      const found = reservationIds.map((id) => this.reservations.get(id));
      for (const [i, reservation] of found.entries()) {
        if (!reservation || reservation.reference !== reference || reservation.state === 'released') {
          throw new ImsRejectedError(reference, 409, `Reservation ${reservationIds[i]} is not one of ${reference}'s`);
        }
        if (!this.live(reservation)) {
          throw new ImsRejectedError(reference, 410, `Reservation ${reservation.id} lapsed; its stock is gone`);
        }
      }
      for (const reservation of found) reservation!.state = 'confirmed';
      const order = { orderId: `sim-order-${this.nextOrder++}`, reservationIds: [...reservationIds] };
      this.orders.set(reference, order);
      return { orderId: order.orderId };
    });
  }

  release(reservationId: string): Promise<void> {
    return settle(() => {
      const reservation = this.reservations.get(reservationId);
      if (reservation?.state === 'reserved') reservation.state = 'released';
    });
  }

  /** Counts against stock and units: confirmed, or reserved and not yet lapsed. */
  private live(reservation: SimulatedReservation): boolean {
    if (reservation.state === 'confirmed') return true;
    return reservation.state === 'reserved' && reservation.expiresAtMs > this.clock.nowMs();
  }

  private product(itemId: string): number {
    const item = this.items.get(itemId);
    if (!item || !('stock' in item)) throw unknownItem(itemId, 'product');
    return item.stock;
  }

  private rental(itemId: string): number {
    const item = this.items.get(itemId);
    if (!item || !('units' in item)) throw unknownItem(itemId, 'rental item');
    return item.units;
  }

  private stockLeft(itemId: string, stock: number): number {
    let taken = 0;
    for (const r of this.reservations.values()) if (r.itemId === itemId && this.live(r)) taken += r.quantity;
    return Math.max(0, stock - taken);
  }

  /** Units free on every day of `[startDay, endDay)`: units minus the busiest day's reservations. */
  private unitsLeft(itemId: string, units: number, startDay: number, endDay: number): number {
    const perDay = new Array<number>(endDay - startDay).fill(0);
    for (const r of this.reservations.values()) {
      if (r.itemId !== itemId || r.startDay === undefined || r.endDay === undefined || !this.live(r)) continue;
      for (let day = Math.max(startDay, r.startDay); day < Math.min(endDay, r.endDay); day++) perDay[day - startDay]++;
    }
    return Math.max(0, units - Math.max(0, ...perDay));
  }
}

/** Runs the synchronous body and settles a promise with its result or error (errors never throw synchronously). */
function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

function view(reservation: SimulatedReservation): ImsReservation {
  return { reservationId: reservation.id, expiresAt: new Date(reservation.expiresAtMs) };
}

function days(startDate: string, endDate: string): [number, number] {
  checkRange(startDate, endDate);
  const start = Date.parse(`${startDate}T00:00:00Z`) / DAY_MS;
  const end = Date.parse(`${endDate}T00:00:00Z`) / DAY_MS;
  if (end - start > MAX_RANGE_DAYS) throw new RangeError(`a range spans at most ${MAX_RANGE_DAYS} days`);
  return [start, end];
}

function unknownItem(itemId: string, kind: string): ImsUnavailableError {
  return new ImsUnavailableError('unknown_item', `The inventory system has no ${kind} ${itemId}`, 5);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
