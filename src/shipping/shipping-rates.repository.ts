import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { ShippingAddress, StoredShippingRate } from './shipping.types';

const COLUMNS = `id AS "rateId", reservation_id AS "reservationId", carrier, service, amount, currency,
                 estimated_days AS "estimatedDays", fallback, address, weight_grams AS "weightGrams",
                 quoted_at AS "quotedAt", expires_at AS "expiresAt"`;

/** A rate to store: what one quote offered. */
export interface NewShippingRate {
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  estimatedDays: number;
}

/** The `shipping_rates` table (the shipping module's own), through `TransactionHost.rows`. */
@Injectable()
export class ShippingRatesRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Stores one quote's rates for a reservation, all with the same times, in one statement
   * that also drops this reservation's rates that expired before `quotedAt` (so a
   * reservation keeps only the quotes that can still be taken). Answers them in the order given.
   */
  async insertQuote(
    reservationId: string,
    rates: NewShippingRate[],
    quote: { fallback: boolean; address: ShippingAddress; weightGrams: number; quotedAt: Date; expiresAt: Date },
  ): Promise<StoredShippingRate[]> {
    const withIds = rates.map((rate) => ({ ...rate, id: randomUUID() }));
    const rows = await this.txHost.rows<StoredShippingRate>(
      `WITH purged AS (DELETE FROM shipping_rates WHERE reservation_id = $1 AND expires_at < $5)
       INSERT INTO shipping_rates (id, reservation_id, carrier, service, amount, currency, estimated_days, fallback, address,
                                   weight_grams, quoted_at, expires_at)
       SELECT r.id, $1, r.carrier, r.service, r.amount, r.currency, r."estimatedDays", $2, $3::jsonb, $4, $5, $6
         FROM jsonb_to_recordset($7::jsonb) AS r(id uuid, carrier text, service text, amount int, currency text, "estimatedDays" int)
       RETURNING ${COLUMNS}`,
      [
        reservationId,
        quote.fallback,
        JSON.stringify(quote.address),
        quote.weightGrams,
        quote.quotedAt,
        quote.expiresAt,
        JSON.stringify(withIds),
      ],
    );
    const byId = new Map(rows.map((row) => [row.rateId, row]));
    return withIds.map((rate) => byId.get(rate.id)!);
  }

  /** The rate, or null when there is none with this id. */
  async find(rateId: string): Promise<StoredShippingRate | null> {
    const [row] = await this.txHost.rows<StoredShippingRate>(`SELECT ${COLUMNS} FROM shipping_rates WHERE id = $1`, [rateId]);
    return row ?? null;
  }

  /** Deletes rates that expired before `before`; answers how many. */
  async purgeExpired(before: Date): Promise<number> {
    const rows = await this.txHost.rows<{ id: string }>(`DELETE FROM shipping_rates WHERE expires_at < $1 RETURNING id`, [
      before,
    ]);
    return rows.length;
  }
}
