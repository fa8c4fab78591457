import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  INVENTORY_SYSTEM,
  type ImsAvailability,
  type ImsOrder,
  type ImsReservation,
  type ImsReserveRequest,
  type ImsStock,
  type InventorySystem,
  type SimulatedItemSeed,
} from './ims.port';
import { SimulatedIms } from './simulated-ims';

/**
 * The external Inventory Management System as other modules see it (DESIGN.md section 10):
 * the `InventorySystem` IMS_MODE chose, `http` or `simulated`. Errors are the port's:
 * `ImsUnavailableError` (503 INVENTORY_UNAVAILABLE, with `retryAfterSeconds`),
 * `ImsRefusedError` (reserve: not available), `ImsRejectedError` (confirm: definitive no).
 */
@Injectable()
export class ExternalInventoryService implements OnApplicationShutdown {
  constructor(@Inject(INVENTORY_SYSTEM) private readonly ims: InventorySystem) {}

  /** `http` (a real IMS) or `simulated` (in process). */
  get mode(): InventorySystem['mode'] {
    return this.ims.mode;
  }

  /** Whether `release` may be called (IMS_RELEASE=true, or the simulated IMS). */
  get releaseSupported(): boolean {
    return this.ims.releaseSupported;
  }

  /** True while the circuit breaker refuses calls: external offerings are not orderable. */
  breakerOpen(): boolean {
    return this.ims.breakerOpen();
  }

  /** Units of a product for sale now. */
  stock(itemId: string): Promise<ImsStock> {
    return this.ims.stock(itemId);
  }

  /** Units of a rental item free on every day of `[startDate, endDate)` (YYYY-MM-DD). */
  availability(itemId: string, startDate: string, endDate: string): Promise<ImsAvailability> {
    return this.ims.availability(itemId, startDate, endDate);
  }

  /**
   * Reserves at the IMS for `durationMinutes` (the hold's TTL plus the 15-minute grace),
   * for our reservation `reference`; the same call again returns the same reservation.
   */
  reserve(request: ImsReserveRequest, reference: string, durationMinutes: number): Promise<ImsReservation> {
    return this.ims.reserve(request, reference, durationMinutes);
  }

  /** Confirms the order of `reference` (idempotent by reference): for the confirmation job. */
  confirmOrder(reference: string, reservationIds: string[]): Promise<ImsOrder> {
    return this.ims.confirmOrder(reference, reservationIds);
  }

  /** Releases a reservation we could not record; only when `releaseSupported` (else it lapses). */
  release(reservationId: string): Promise<void> {
    return this.ims.release(reservationId);
  }

  /**
   * Adds or resets an item of the simulated IMS (the demo catalog's external carriers).
   * Throws with IMS_MODE=http: a real IMS's stock is not ours to set.
   */
  seedSimulated(itemId: string, seed: SimulatedItemSeed): void {
    if (!(this.ims instanceof SimulatedIms)) throw new Error('seedSimulated needs IMS_MODE=simulated');
    this.ims.seed(itemId, seed);
  }

  onApplicationShutdown(): void {
    (this.ims as { close?: () => void }).close?.();
  }
}
