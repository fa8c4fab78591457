import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vehicle rentals (DESIGN.md section 12, section 4's `rentalStatus` and payment `purpose`).
 *
 * - `payments` gain `purpose` (booking | renewal | fine: provider events are routed by
 *   it) and what the provider said of the authorisation: its `capture_before` (every
 *   schedule runs from it, never from a constant) and whether extended and incremental
 *   authorisation were granted.
 * - `rentals`: one row per vehicle reservation, owned by the rentals module, keyed by
 *   the reservation id (no foreign key: rentals names no other module's table). What was
 *   agreed (price, deposit, policy, pickup and return times), the readings at pickup and
 *   return, the proofs, and where the rental stands.
 * - `rental_fines`: one line per kind of fine, the amount owed now and the amount first
 *   assessed (the difference was waived), who set it and why.
 */
export class CreateRentals1795568000300 implements MigrationInterface {
  name = 'CreateRentals1795568000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "payments"
         ADD "purpose" text NOT NULL DEFAULT 'booking',
         ADD "capture_before" TIMESTAMP WITH TIME ZONE,
         ADD "extended_authorization" text,
         ADD "incremental_authorization" text,
         ADD CONSTRAINT "chk_payments_purpose" CHECK ("purpose" IN ('booking', 'renewal', 'fine'))`,
    );
    await queryRunner.query(
      `CREATE TABLE "rentals" (
         "reservation_id" uuid NOT NULL,
         "user_id" text NOT NULL,
         "offering_id" uuid NOT NULL,
         "unit_id" uuid NOT NULL,
         "currency" char(3) NOT NULL,
         "price_cents" integer NOT NULL,
         "deposit_cents" integer NOT NULL,
         "policy" jsonb NOT NULL,
         "pickup_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "return_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "days" integer NOT NULL,
         "rental_status" text NOT NULL DEFAULT 'not_started',
         "started_at" TIMESTAMP WITH TIME ZONE,
         "last_unlocked_at" TIMESTAMP WITH TIME ZONE,
         "unlocks" integer NOT NULL DEFAULT 0,
         "pickup_odometer_km" integer,
         "pickup_energy_percent" integer,
         "returned_at" TIMESTAMP WITH TIME ZONE,
         "return_odometer_km" integer,
         "return_energy_percent" integer,
         "return_reading_source" text,
         "customer_odometer_km" integer,
         "customer_energy_percent" integer,
         "return_latitude" double precision,
         "return_longitude" double precision,
         "return_notes" text,
         "photos" jsonb NOT NULL DEFAULT '[]',
         "disputes" jsonb NOT NULL DEFAULT '[]',
         "verified_by" text,
         "verification_note" text,
         "completed_at" TIMESTAMP WITH TIME ZONE,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_rentals" PRIMARY KEY ("reservation_id"),
         CONSTRAINT "chk_rentals_status" CHECK ("rental_status" IN ('not_started', 'in_progress', 'returned', 'return_disputed', 'completed')),
         CONSTRAINT "chk_rentals_money" CHECK ("price_cents" >= 0 AND "deposit_cents" >= 0),
         CONSTRAINT "chk_rentals_period" CHECK ("return_at" > "pickup_at"),
         CONSTRAINT "chk_rentals_reading_source" CHECK ("return_reading_source" IS NULL OR "return_reading_source" IN ('telematics', 'customer'))
       )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_rentals_user" ON "rentals" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_rentals_active" ON "rentals" ("rental_status") WHERE "rental_status" <> 'completed'`);
    await queryRunner.query(
      `CREATE TABLE "rental_fines" (
         "reservation_id" uuid NOT NULL REFERENCES "rentals" ("reservation_id") ON DELETE CASCADE,
         "kind" text NOT NULL,
         "amount_cents" integer NOT NULL,
         "assessed_cents" integer NOT NULL,
         "reason" text NOT NULL,
         "set_by" text NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_rental_fines" PRIMARY KEY ("reservation_id", "kind"),
         CONSTRAINT "chk_rental_fines_kind" CHECK ("kind" IN ('late', 'refuel', 'distance', 'damage', 'cleaning', 'other')),
         CONSTRAINT "chk_rental_fines_amount" CHECK ("amount_cents" >= 0 AND "assessed_cents" >= 0)
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rental_fines"`);
    await queryRunner.query(`DROP TABLE "rentals"`);
    await queryRunner.query(
      `ALTER TABLE "payments" DROP CONSTRAINT "chk_payments_purpose", DROP "purpose", DROP "capture_before", DROP "extended_authorization", DROP "incremental_authorization"`,
    );
  }
}
