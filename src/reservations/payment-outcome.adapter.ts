import { randomInt } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppError } from '@holdfast/errors';
import { InventoryService } from '../inventory/inventory.service';
import type { AllocationRequest } from '../inventory/inventory.types';
import {
  type BookingPaymentOutcomes,
  BookingPaymentOutcomesPort,
  type SucceededOutcome,
} from '../payments/booking-payment-outcomes.port';
import { ImsConfirmationJob } from './ims-confirmation.job';
import { ReservationEmails } from './reservation-emails';
import type { ReservationStatus } from './reservation.entity';
import { ReservationsRepository } from './reservations.repository';

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A 12-character booking reference, unambiguous when read aloud (no 0/O, 1/I). */
export function newReference(): string {
  return Array.from({ length: 12 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join('');
}

/**
 * Reservations' side of the payment outcome port: what a payment's success, failure or
 * refund means for the booking. Runs in the transaction of whoever applied the payment
 * (webhook, confirm call, sweep, reconciliation); every method is idempotent.
 */
@Injectable()
export class ReservationPaymentOutcomes implements BookingPaymentOutcomes, OnModuleInit {
  constructor(
    private readonly repo: ReservationsRepository,
    private readonly inventory: InventoryService,
    private readonly outcomes: BookingPaymentOutcomesPort,
    private readonly emails: ReservationEmails,
    private readonly imsConfirmation: ImsConfirmationJob,
  ) {}

  onModuleInit(): void {
    this.outcomes.register(this);
  }

  /**
   * Confirms the reservation: commits its held allocations and gives it a reference. A
   * reservation whose hold expired (its places released) takes its places again if they
   * are still free; if not, the money must go back.
   */
  async paymentSucceeded(reservationId: string): Promise<SucceededOutcome> {
    const status: ReservationStatus | null = (await this.repo.findForUpdate(reservationId))?.status ?? null;
    if (status === null) return { result: 'refund', reason: 'RESERVATION_NOT_FOUND' };
    if (status === 'confirmed' || status === 'completed') return { result: 'confirmed' };
    if (status === 'held' || status === 'pending' || status === 'payment_failed') {
      await this.inventory.commit(reservationId);
      await this.confirm(reservationId, null);
      await this.imsConfirmation.queue(reservationId);
      await this.emails.queue('reservation_confirmed', reservationId);
      return { result: 'confirmed' };
    }
    if (status === 'expired' && (await this.retake(reservationId))) {
      await this.inventory.commit(reservationId);
      await this.confirm(reservationId, 'CONFIRMED_AFTER_HOLD_EXPIRED');
      await this.emails.queue('reservation_confirmed', reservationId);
      return { result: 'confirmed' };
    }
    return { result: 'refund', reason: status === 'expired' ? 'HOLD_EXPIRED' : `RESERVATION_${status.toUpperCase()}` };
  }

  /**
   * A vehicle booked further ahead than the lead days, its card now set up for the
   * authorisation to come (`paymentStatus: scheduled`): confirmed exactly as a payment
   * confirms it (allocations committed, reference, outbox event, email).
   */
  async paymentScheduled(reservationId: string): Promise<SucceededOutcome> {
    return this.paymentSucceeded(reservationId);
  }

  async paymentFailed(reservationId: string): Promise<void> {
    if (await this.repo.markPaymentFailed(reservationId)) await this.emails.queue('payment_failed', reservationId);
  }

  async paymentRequiresAction(): Promise<void> {
    // The reservation stays pending while the user authenticates.
  }

  /** All the money went back: the booking is void, and any places it still had are released. */
  async paymentRefunded(reservationId: string, _paymentId: string, reason: string): Promise<void> {
    const status: ReservationStatus | null = (await this.repo.findForUpdate(reservationId))?.status ?? null;
    // A cancelled booking keeps its status (the refund is its consequence, not news).
    if (status === null || status === 'refunded' || status === 'cancelled') return;
    await this.inventory.release([reservationId]);
    await this.repo.setStatus(reservationId, 'refunded', reason);
    await this.emails.queue('reservation_refunded', reservationId);
  }

  private async confirm(reservationId: string, reason: string | null): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.repo.inSavepoint('reference', () => this.repo.confirm(reservationId, newReference(), reason));
        return;
      } catch (error) {
        // 32^12 references: a collision is a curiosity, but never a failed confirmation.
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Tries to allocate an expired reservation's items again, all or nothing (a savepoint undoes a partial cart). */
  private async retake(reservationId: string): Promise<boolean> {
    const items = await this.repo.itemsOf([reservationId]);
    const requests: AllocationRequest[] = [];
    for (const item of items) {
      if (item.timeSlotId) {
        requests.push({ kind: 'slot', itemId: item.id, slotId: item.timeSlotId, quantity: item.quantity });
      } else if (item.sku) {
        const stock = await this.inventory.getStockBySku(item.sku);
        if (!stock) return false;
        requests.push({ kind: 'sku', itemId: item.id, stockItemId: stock.id, quantity: item.quantity });
      } else if (item.startDate && item.endDate) {
        requests.push({
          kind: 'unit',
          itemId: item.id,
          offeringId: item.offeringId,
          start: new Date(`${item.startDate}T00:00:00Z`),
          end: new Date(`${item.endDate}T00:00:00Z`),
        });
      }
    }
    try {
      await this.repo.inSavepoint('retake', () => this.inventory.allocate(reservationId, requests));
      return true;
    } catch (error) {
      if (error instanceof AppError) return false;
      throw error;
    }
  }
}
