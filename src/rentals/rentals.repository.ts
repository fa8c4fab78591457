import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { AgreedPolicy, Rental, RentalFine, RentalStatus, ReturnPhoto } from './rentals.types';
import type { DisputeReason, FineKind } from './settlement';

const COLUMNS = `reservation_id AS "reservationId", user_id AS "userId", offering_id AS "offeringId", unit_id AS "unitId",
  trim(currency) AS currency, price_cents AS "priceCents", deposit_cents AS "depositCents", policy,
  pickup_at AS "pickupAt", return_at AS "returnAt", days, rental_status AS "rentalStatus", started_at AS "startedAt",
  last_unlocked_at AS "lastUnlockedAt", unlocks, pickup_odometer_km AS "pickupOdometerKm",
  pickup_energy_percent AS "pickupEnergyPercent", returned_at AS "returnedAt", return_odometer_km AS "returnOdometerKm",
  return_energy_percent AS "returnEnergyPercent", return_reading_source AS "returnReadingSource",
  customer_odometer_km AS "customerOdometerKm", customer_energy_percent AS "customerEnergyPercent",
  return_latitude AS "returnLatitude", return_longitude AS "returnLongitude", return_notes AS "returnNotes", photos,
  disputes, verified_by AS "verifiedBy", verification_note AS "verificationNote", completed_at AS "completedAt"`;

export interface NewRental {
  reservationId: string;
  userId: string;
  offeringId: string;
  unitId: string;
  currency: string;
  priceCents: number;
  depositCents: number;
  policy: AgreedPolicy;
  pickupAt: Date;
  returnAt: Date;
  days: number;
}

export interface RecordedReturn {
  returnedAt: Date;
  odometerKm: number | null;
  energyPercent: number | null;
  readingSource: 'telematics' | 'customer';
  customerOdometerKm: number;
  customerEnergyPercent: number;
  latitude: number;
  longitude: number;
  notes: string | null;
  photos: ReturnPhoto[];
  disputes: DisputeReason[];
  status: 'returned' | 'return_disputed';
}

/** The advisory lock class of a rental's settlement ('STLM'), apart from inventory's 'RENT'. */
const SETTLEMENT_LOCK_CLASS = 0x53544c4d;

/** The rentals and rental_fines tables (owned by rentals). Every statement through TransactionHost.rows. */
@Injectable()
export class RentalsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Runs `fn` holding the rental's settlement lock, so two passes over one rental (a fine
   * set while a retry runs, two replicas) never take or give back the same money twice: a
   * transaction-level advisory lock on a connection of its own for as long as `fn` runs,
   * `fn` itself outside that transaction (its payments must commit before each provider
   * call). The passes' own transactions never take this lock, so they cannot wait on it.
   */
  async withSettlementLock<T>(reservationId: string, fn: () => Promise<T>): Promise<T> {
    return this.txHost.run(async () => {
      await this.txHost.rows(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))::text AS locked`, [
        SETTLEMENT_LOCK_CLASS,
        reservationId,
      ]);
      return this.txHost.outside(fn);
    });
  }

  async find(reservationId: string, lock = false): Promise<Rental | null> {
    const [row] = await this.txHost.rows<Rental>(
      `SELECT ${COLUMNS} FROM rentals WHERE reservation_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [reservationId],
    );
    return row ?? null;
  }

  /**
   * Rentals not yet completed (the admin dashboard's active list), soonest pickup first,
   * optionally of one status or one renter, with how many match in all.
   */
  async listActive(
    filter: { status?: RentalStatus; userId?: string },
    limit: number,
    offset: number,
  ): Promise<{ rentals: Rental[]; total: number }> {
    const where = `rental_status <> 'completed' AND ($1::text IS NULL OR rental_status = $1) AND ($2::text IS NULL OR user_id = $2)`;
    const params = [filter.status ?? null, filter.userId ?? null];
    const rentals = await this.txHost.rows<Rental>(
      `SELECT ${COLUMNS} FROM rentals WHERE ${where} ORDER BY pickup_at, reservation_id LIMIT $3 OFFSET $4`,
      [...params, limit, offset],
    );
    const [{ total }] = await this.txHost.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM rentals WHERE ${where}`,
      params,
    );
    return { rentals, total };
  }

  /** Writes the rental of a booking unless it exists (a concurrent first read wrote it). */
  async insert(r: NewRental): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO rentals (reservation_id, user_id, offering_id, unit_id, currency, price_cents, deposit_cents, policy,
                            pickup_at, return_at, days)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (reservation_id) DO NOTHING`,
      [
        r.reservationId,
        r.userId,
        r.offeringId,
        r.unitId,
        r.currency,
        r.priceCents,
        r.depositCents,
        JSON.stringify(r.policy),
        r.pickupAt,
        r.returnAt,
        r.days,
      ],
    );
  }

  /** The booking's vehicle was moved to another unit (fleet maintenance) before its pickup; false once it started. */
  async moveUnit(reservationId: string, unitId: string): Promise<boolean> {
    const rows = await this.txHost.rows(
      `UPDATE rentals SET unit_id = $2, updated_at = now() WHERE reservation_id = $1 AND rental_status = 'not_started' RETURNING 1`,
      [reservationId, unitId],
    );
    return rows.length === 1;
  }

  /** An unlock went through: the first starts the rental with telematics' pickup reading. */
  async recordUnlock(
    reservationId: string,
    at: Date,
    reading: { odometerKm: number | null; energyLevelPercent: number | null },
  ): Promise<void> {
    await this.txHost.rows(
      `UPDATE rentals
          SET unlocks = unlocks + 1, last_unlocked_at = $2,
              started_at = COALESCE(started_at, $2),
              pickup_odometer_km = CASE WHEN rental_status = 'not_started' THEN $3 ELSE pickup_odometer_km END,
              pickup_energy_percent = CASE WHEN rental_status = 'not_started' THEN $4 ELSE pickup_energy_percent END,
              rental_status = CASE WHEN rental_status = 'not_started' THEN 'in_progress' ELSE rental_status END,
              updated_at = now()
        WHERE reservation_id = $1`,
      [reservationId, at, reading.odometerKm, reading.energyLevelPercent],
    );
  }

  async recordReturn(reservationId: string, r: RecordedReturn): Promise<void> {
    await this.txHost.rows(
      `UPDATE rentals
          SET returned_at = $2, return_odometer_km = $3, return_energy_percent = $4, return_reading_source = $5,
              customer_odometer_km = $6, customer_energy_percent = $7, return_latitude = $8, return_longitude = $9,
              return_notes = $10, photos = $11, disputes = $12, rental_status = $13, updated_at = now()
        WHERE reservation_id = $1`,
      [
        reservationId,
        r.returnedAt,
        r.odometerKm,
        r.energyPercent,
        r.readingSource,
        r.customerOdometerKm,
        r.customerEnergyPercent,
        r.latitude,
        r.longitude,
        r.notes,
        JSON.stringify(r.photos),
        JSON.stringify(r.disputes),
        r.status,
      ],
    );
  }

  async setStatus(reservationId: string, status: RentalStatus): Promise<void> {
    await this.txHost.rows(
      `UPDATE rentals SET rental_status = $2, completed_at = CASE WHEN $2 = 'completed' THEN now() ELSE completed_at END,
              updated_at = now()
        WHERE reservation_id = $1`,
      [reservationId, status],
    );
  }

  /** An admin's verdict on a disputed return. */
  async recordVerification(reservationId: string, by: string, note: string | null, status: RentalStatus): Promise<void> {
    await this.txHost.rows(
      `UPDATE rentals SET verified_by = $2, verification_note = $3, rental_status = $4, updated_at = now() WHERE reservation_id = $1`,
      [reservationId, by, note, status],
    );
  }

  /** The fines of several rentals in one query, each with its rental's id. */
  async finesFor(reservationIds: string[]): Promise<(RentalFine & { reservationId: string })[]> {
    return this.txHost.rows<RentalFine & { reservationId: string }>(
      `SELECT reservation_id AS "reservationId", kind, amount_cents AS "amountCents", assessed_cents AS "assessedCents",
              reason, set_by AS "setBy", updated_at AS "updatedAt"
         FROM rental_fines WHERE reservation_id = ANY($1::uuid[]) ORDER BY created_at, kind`,
      [reservationIds],
    );
  }

  async fines(reservationId: string): Promise<RentalFine[]> {
    return this.txHost.rows<RentalFine>(
      `SELECT kind, amount_cents AS "amountCents", assessed_cents AS "assessedCents", reason, set_by AS "setBy",
              updated_at AS "updatedAt"
         FROM rental_fines WHERE reservation_id = $1 ORDER BY created_at, kind`,
      [reservationId],
    );
  }

  /**
   * Sets a fine: a new kind is assessed at this amount; an existing one keeps what was
   * first assessed and owes the new amount (lowered: the difference is waived).
   */
  async setFine(reservationId: string, kind: FineKind, amountCents: number, reason: string, setBy: string): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO rental_fines (reservation_id, kind, amount_cents, assessed_cents, reason, set_by)
       VALUES ($1, $2, $3, $3, $4, $5)
       ON CONFLICT (reservation_id, kind)
       DO UPDATE SET amount_cents = EXCLUDED.amount_cents, reason = EXCLUDED.reason, set_by = EXCLUDED.set_by,
                     assessed_cents = GREATEST(rental_fines.assessed_cents, EXCLUDED.amount_cents), updated_at = now()`,
      [reservationId, kind, amountCents, reason, setBy],
    );
  }

  /**
   * Records that the customer is asked to complete this authorisation attempt; false when
   * they were asked for it already (the email and support case go out once per attempt).
   */
  async markActionRequired(reservationId: string, paymentId: string): Promise<boolean> {
    const rows = await this.txHost.rows(
      `UPDATE rentals SET action_required_for = $2, updated_at = now()
        WHERE reservation_id = $1 AND action_required_for IS DISTINCT FROM $2::uuid
        RETURNING reservation_id`,
      [reservationId, paymentId],
    );
    return rows.length === 1;
  }

  /**
   * The rentals whose money schedule may have something to do (the safety pass): not yet
   * returned, and not over for more than a day, oldest pickup first.
   */
  async scheduleCandidates(now: Date, limit: number): Promise<Rental[]> {
    return this.txHost.rows<Rental>(
      `SELECT ${COLUMNS} FROM rentals
        WHERE rental_status IN ('not_started', 'in_progress') AND return_at > $1::timestamptz - interval '1 day'
        ORDER BY pickup_at LIMIT $2`,
      [now, limit],
    );
  }
}
