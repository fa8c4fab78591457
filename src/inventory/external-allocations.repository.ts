import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { ExternalAllocation } from './inventory.types';

const COLUMNS = `id, reservation_id AS "reservationId", ims_item_id AS "imsItemId", ims_reservation_id AS "imsReservationId",
                 status, expires_at AS "expiresAt", ims_order_id AS "imsOrderId"`;

/** The `external_allocations` table: what reservations hold at the IMS. */
@Injectable()
export class ExternalAllocationsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(row: {
    reservationId: string;
    itemId: string;
    offeringId: string;
    imsItemId: string;
    imsReservationId: string;
    quantity: number | null;
    startDate: string | null;
    endDate: string | null;
    expiresAt: Date;
  }): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO external_allocations (reservation_id, reservation_item_id, offering_id, ims_item_id, ims_reservation_id,
                                         quantity, start_date, end_date, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.reservationId,
        row.itemId,
        row.offeringId,
        row.imsItemId,
        row.imsReservationId,
        row.quantity,
        row.startDate,
        row.endDate,
        row.expiresAt,
      ],
    );
  }

  async of(reservationId: string): Promise<ExternalAllocation[]> {
    return this.txHost.rows<ExternalAllocation>(
      `SELECT ${COLUMNS} FROM external_allocations WHERE reservation_id = $1 ORDER BY created_at, id`,
      [reservationId],
    );
  }

  /** Marks these reservations' held IMS allocations released; returns the IMS reservation ids released. */
  async release(reservationIds: string[]): Promise<string[]> {
    const rows = await this.txHost.rows<{ imsReservationId: string }>(
      `UPDATE external_allocations SET status = 'released', updated_at = now()
        WHERE reservation_id = ANY($1::uuid[]) AND status = 'held'
        RETURNING ims_reservation_id AS "imsReservationId"`,
      [reservationIds],
    );
    return rows.map((r) => r.imsReservationId);
  }

  /** The IMS accepted the order: its held allocations are confirmed with the IMS order id. */
  async confirm(reservationId: string, orderId: string): Promise<void> {
    await this.txHost.rows(
      `UPDATE external_allocations SET status = 'confirmed', ims_order_id = $2, updated_at = now()
        WHERE reservation_id = $1 AND status = 'held'`,
      [reservationId, orderId],
    );
  }

  /** The IMS refused the order for good. */
  async reject(reservationId: string): Promise<void> {
    await this.txHost.rows(
      `UPDATE external_allocations SET status = 'rejected', updated_at = now() WHERE reservation_id = $1 AND status = 'held'`,
      [reservationId],
    );
  }
}
