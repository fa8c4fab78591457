import { randomInt } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { InventoryService } from '../inventory/inventory.service';
import type { AllocationRequest } from '../inventory/inventory.types';
import {
  type BookingPaymentOutcomes,
  BookingPaymentOutcomesPort,
  type SucceededOutcome,
} from '../payments/booking-payment-outcomes.port';
import type { ReservationStatus } from './reservation.entity';

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A 12-character booking reference, unambiguous when read aloud (no 0/O, 1/I). */
export function newReference(): string {
  return Array.from({ length: 12 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join('');
}

interface ItemRow {
  id: string;
  kind: string;
  offering_id: string;
  time_slot_id: string | null;
  sku: string | null;
  start_date: string | null;
  end_date: string | null;
  quantity: number;
}

/**
 * Reservations' side of the payment outcome port: what a payment's success, failure or
 * refund means for the booking. Runs in the transaction of whoever applied the payment
 * (webhook, confirm call, sweep, reconciliation); every method is idempotent.
 */
@Injectable()
export class ReservationPaymentOutcomes implements BookingPaymentOutcomes, OnModuleInit {
  constructor(
    readonly txHost: TransactionHost,
    private readonly inventory: InventoryService,
    private readonly outcomes: BookingPaymentOutcomesPort,
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
    const status = await this.lockStatus(reservationId);
    if (status === null) return { result: 'refund', reason: 'RESERVATION_NOT_FOUND' };
    if (status === 'confirmed' || status === 'completed') return { result: 'confirmed' };
    if (status === 'held' || status === 'pending' || status === 'payment_failed') {
      await this.inventory.commit(reservationId);
      await this.confirm(reservationId, null);
      return { result: 'confirmed' };
    }
    if (status === 'expired' && (await this.retake(reservationId))) {
      await this.inventory.commit(reservationId);
      await this.confirm(reservationId, 'CONFIRMED_AFTER_HOLD_EXPIRED');
      return { result: 'confirmed' };
    }
    return { result: 'refund', reason: status === 'expired' ? 'HOLD_EXPIRED' : `RESERVATION_${status.toUpperCase()}` };
  }

  async paymentFailed(reservationId: string): Promise<void> {
    await this.txHost.manager.query(
      `UPDATE reservations SET status = 'payment_failed', status_reason = 'PAYMENT_DECLINED', updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [reservationId],
    );
  }

  async paymentRequiresAction(): Promise<void> {
    // The reservation stays pending while the user authenticates.
  }

  /** All the money went back: the booking is void, and any places it still had are released. */
  async paymentRefunded(reservationId: string, _paymentId: string, reason: string): Promise<void> {
    const status = await this.lockStatus(reservationId);
    // A cancelled booking keeps its status (the refund is its consequence, not news).
    if (status === null || status === 'refunded' || status === 'cancelled') return;
    await this.inventory.release([reservationId]);
    await this.txHost.manager.query(
      `UPDATE reservations SET status = 'refunded', status_reason = $2, updated_at = now() WHERE id = $1`,
      [reservationId, reason],
    );
  }

  private async lockStatus(reservationId: string): Promise<ReservationStatus | null> {
    const rows = (await this.txHost.manager.query(`SELECT status FROM reservations WHERE id = $1 FOR UPDATE`, [
      reservationId,
    ])) as {
      status: ReservationStatus;
    }[];
    return rows[0]?.status ?? null;
  }

  private async confirm(reservationId: string, reason: string | null): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.txHost.manager.query('SAVEPOINT reference');
        await this.txHost.manager.query(
          `UPDATE reservations SET status = 'confirmed', reference = $2, status_reason = $3, updated_at = now() WHERE id = $1`,
          [reservationId, newReference(), reason],
        );
        await this.txHost.manager.query('RELEASE SAVEPOINT reference');
        return;
      } catch (error) {
        // 32^12 references: a collision is a curiosity, but never a failed confirmation.
        await this.txHost.manager.query('ROLLBACK TO SAVEPOINT reference');
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Tries to allocate an expired reservation's items again, all or nothing (a savepoint undoes a partial cart). */
  private async retake(reservationId: string): Promise<boolean> {
    const items = (await this.txHost.manager.query(
      `SELECT i.id, i.kind, i.offering_id, i.time_slot_id, i.sku, i.start_date::text, i.end_date::text, i.quantity
         FROM reservation_items i WHERE i.reservation_id = $1`,
      [reservationId],
    )) as ItemRow[];
    const requests: AllocationRequest[] = [];
    for (const item of items) {
      if (item.time_slot_id) {
        requests.push({ kind: 'slot', itemId: item.id, slotId: item.time_slot_id, quantity: item.quantity });
      } else if (item.sku) {
        const stock = await this.inventory.getStockBySku(item.sku);
        if (!stock) return false;
        requests.push({ kind: 'sku', itemId: item.id, stockItemId: stock.id, quantity: item.quantity });
      } else if (item.start_date && item.end_date) {
        requests.push({
          kind: 'unit',
          itemId: item.id,
          offeringId: item.offering_id,
          start: new Date(`${item.start_date}T00:00:00Z`),
          end: new Date(`${item.end_date}T00:00:00Z`),
        });
      }
    }
    await this.txHost.manager.query('SAVEPOINT retake');
    try {
      await this.inventory.allocate(reservationId, requests);
      await this.txHost.manager.query('RELEASE SAVEPOINT retake');
      return true;
    } catch (error) {
      await this.txHost.manager.query('ROLLBACK TO SAVEPOINT retake');
      if (error instanceof AppError) return false;
      throw error;
    }
  }
}
