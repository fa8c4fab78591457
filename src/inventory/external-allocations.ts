import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { ExternalAllocationsRepository } from './external-allocations.repository';
import { ExternalSourcePort } from '../catalog/external-source.port';
import { FlagsService } from '../flags/flags.service';
import { FLAGS } from '../flags/flags.types';
import { ExternalInventoryService } from './external-inventory.service';
import { ImsUnavailableError } from './ims.port';
import type { ExternalAllocation, ExternalAllocationRequest } from './inventory.types';

/**
 * A reservation's items at the Inventory Management System (DESIGN.md section 10):
 * reserved inside the hold's transaction, after everything internal, and recorded in the
 * same transaction. What the IMS reserved but we could not record (the transaction rolled
 * back) is released where the IMS allows it, and otherwise lapses at the IMS.
 */
@Injectable()
export class ExternalAllocations implements OnModuleInit {
  private readonly logger = new Logger(ExternalAllocations.name);

  constructor(
    private readonly txHost: TransactionHost,
    private readonly repo: ExternalAllocationsRepository,
    private readonly ims: ExternalInventoryService,
    private readonly flags: FlagsService,
    private readonly catalogPort: ExternalSourcePort,
  ) {}

  onModuleInit(): void {
    this.catalogPort.register({ externalUnavailable: () => this.unavailable() });
  }

  /** External offerings cannot be ordered: the IMS's breaker is open, or the `inventory.ims` flag is off. */
  async unavailable(): Promise<boolean> {
    return this.ims.breakerOpen() || !(await this.flags.isEnabled(FLAGS.inventoryIms, true));
  }

  /**
   * Reserves each item at the IMS for `reservationId` (our reference) and records it.
   * @throws ImsRefusedError (409 NOT_ENOUGH_CAPACITY) or ImsUnavailableError (503
   * INVENTORY_UNAVAILABLE): the caller's transaction must roll back; what was reserved
   * before the failure is released.
   */
  async reserve(reservationId: string, requests: ExternalAllocationRequest[]): Promise<void> {
    if (!(await this.flags.isEnabled(FLAGS.inventoryIms, true))) {
      throw new ImsUnavailableError('switched_off', 'Ordering from the inventory system is switched off for now', 60);
    }
    const made: string[] = [];
    // Registered first: whatever this transaction reserved is given back if it does not commit.
    this.txHost.afterRollback(() => this.releaseAtIms(made));
    for (const request of requests) {
      const reservation = await this.ims.reserve(
        request.quantity !== undefined
          ? { itemId: request.imsItemId, quantity: request.quantity }
          : { itemId: request.imsItemId, startDate: request.startDate!, endDate: request.endDate! },
        reservationId,
        request.durationMinutes,
      );
      made.push(reservation.reservationId);
      await this.repo.insert({
        reservationId,
        itemId: request.itemId,
        offeringId: request.offeringId,
        imsItemId: request.imsItemId,
        imsReservationId: reservation.reservationId,
        quantity: request.quantity ?? null,
        startDate: request.startDate ?? null,
        endDate: request.endDate ?? null,
        expiresAt: reservation.expiresAt,
      });
    }
  }

  /** Gives back these reservations' held IMS items (expired, cancelled, refunded): after commit, where the IMS allows. */
  async release(reservationIds: string[]): Promise<void> {
    const released = await this.repo.release(reservationIds);
    if (released.length > 0) this.txHost.afterCommit(() => this.releaseAtIms(released));
  }

  of(reservationId: string): Promise<ExternalAllocation[]> {
    return this.repo.of(reservationId);
  }

  /**
   * Confirms the order of a paid reservation at the IMS (idempotent by our reservation
   * id), and records it. Throws what the IMS says: ImsUnavailableError (retry later),
   * ImsRejectedError (definitive: the stock is gone).
   */
  async confirm(reservationId: string): Promise<{ orderId: string } | null> {
    const held = (await this.repo.of(reservationId)).filter((a) => a.status === 'held');
    if (held.length === 0) return null;
    const order = await this.ims.confirmOrder(
      reservationId,
      held.map((a) => a.imsReservationId),
    );
    await this.repo.confirm(reservationId, order.orderId);
    return order;
  }

  reject(reservationId: string): Promise<void> {
    return this.repo.reject(reservationId);
  }

  /**
   * Gives these IMS reservations back at the IMS (their rows already released and
   * committed, or never recorded). Best effort, never awaited by a request: an IMS without
   * release lets them lapse.
   */
  releaseAtIms(imsReservationIds: string[]): void {
    if (imsReservationIds.length === 0 || !this.ims.releaseSupported) return;
    for (const id of [...imsReservationIds]) {
      this.ims
        .release(id)
        .catch((error: unknown) =>
          this.logger.warn(`IMS reservation ${id} could not be released (it lapses at the IMS): ${(error as Error).message}`),
        );
    }
  }
}
