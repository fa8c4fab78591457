import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleet events (DESIGN.md section 12, invariant 7).
 *
 * - `allocations.purpose`: `booking` (a reservation item's unit, as before) or
 *   `maintenance` (a block the fleet scheduled: no reservation, its `maintenance_id` and
 *   `reason` instead). `release_reason` says why a row was released when that was not the
 *   booking's own doing: `displaced` (maintenance took the unit and no other was free),
 *   `cancelled` / `superseded` (a maintenance block lifted or rescheduled).
 * - The unit exclusion is split in two so maintenance blocks keep every booking off the
 *   unit (and bookings each other, as before), while two overlapping blocks of the fleet
 *   (two maintenance ids on one vehicle) may coexist: neither is a customer's. Both cover
 *   unit rows only, so a slot or SKU hold (the one-statement hot path) maintains neither
 *   index (it maintained the old one, whose unit_id was NULL for it).
 * - `reservations.attention_reason` / `flagged_at`: a booking an admin must look at (its
 *   vehicle was displaced by maintenance).
 * - `fleet_events`: every event received, once per id, with its outcome; `fleet_watermarks`:
 *   the `occurredAt` of the last applied event per vehicle status and per maintenance id,
 *   so an older event never overrides a newer one.
 */
export class FleetEvents1795650000100 implements MigrationInterface {
  name = 'FleetEvents1795650000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "allocations" ADD "purpose" text NOT NULL DEFAULT 'booking'`);
    await queryRunner.query(`ALTER TABLE "allocations" ADD "maintenance_id" text`);
    await queryRunner.query(`ALTER TABLE "allocations" ADD "reason" text`);
    await queryRunner.query(`ALTER TABLE "allocations" ADD "release_reason" text`);
    await queryRunner.query(`ALTER TABLE "allocations" ALTER COLUMN "reservation_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "allocations" ALTER COLUMN "reservation_item_id" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "chk_allocations_purpose" CHECK (
         ("purpose" = 'booking' AND "reservation_id" IS NOT NULL AND "reservation_item_id" IS NOT NULL AND "maintenance_id" IS NULL)
         OR ("purpose" = 'maintenance' AND "reservation_id" IS NULL AND "reservation_item_id" IS NULL
             AND "maintenance_id" IS NOT NULL AND "resource_type" = 'unit'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "chk_allocations_release_reason" CHECK (
         "release_reason" IS NULL OR ("state" = 'released' AND "release_reason" IN ('displaced', 'cancelled', 'superseded')))`,
    );
    await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "excl_allocations_unit_period"`);
    await queryRunner.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "excl_allocations_unit_period"
         EXCLUDE USING gist ("unit_id" WITH =, "period" WITH &&)
         WHERE ("state" <> 'released' AND "resource_type" = 'unit' AND "purpose" = 'booking')`,
    );
    await queryRunner.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "excl_allocations_unit_maintenance"
         EXCLUDE USING gist ("unit_id" WITH =, "period" WITH &&, "purpose" WITH <>)
         WHERE ("state" <> 'released' AND "resource_type" = 'unit')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_allocations_live_maintenance" ON "allocations" ("maintenance_id") WHERE "state" <> 'released'`,
    );

    await queryRunner.query(`ALTER TABLE "reservations" ADD "attention_reason" text`);
    await queryRunner.query(`ALTER TABLE "reservations" ADD "flagged_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "idx_reservations_flagged" ON "reservations" ("flagged_at") WHERE "flagged_at" IS NOT NULL`,
    );

    await queryRunner.query(
      `CREATE TABLE "fleet_events" (
         "id" text NOT NULL,
         "source" text NOT NULL,
         "type" text,
         "vehicle_id" text,
         "occurred_at" TIMESTAMP WITH TIME ZONE,
         "outcome" text NOT NULL,
         "detail" text,
         "payload" jsonb,
         "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "chk_fleet_events_source" CHECK ("source" IN ('http', 'nats', 'reconcile')),
         CONSTRAINT "chk_fleet_events_outcome" CHECK ("outcome" IN ('applied', 'stale', 'unknown_vehicle', 'malformed', 'failed')),
         CONSTRAINT "PK_fleet_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_fleet_events_received" ON "fleet_events" ("received_at")`);
    await queryRunner.query(
      `CREATE TABLE "fleet_watermarks" (
         "key" text NOT NULL,
         "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "event_id" text NOT NULL,
         CONSTRAINT "PK_fleet_watermarks" PRIMARY KEY ("key"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "fleet_watermarks"`);
    await queryRunner.query(`DROP TABLE "fleet_events"`);
    await queryRunner.query(`DROP INDEX "idx_reservations_flagged"`);
    await queryRunner.query(`ALTER TABLE "reservations" DROP COLUMN "flagged_at"`);
    await queryRunner.query(`ALTER TABLE "reservations" DROP COLUMN "attention_reason"`);
    await queryRunner.query(`DELETE FROM "allocations" WHERE "purpose" = 'maintenance'`);
    await queryRunner.query(`DROP INDEX "uq_allocations_live_maintenance"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "excl_allocations_unit_maintenance"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "excl_allocations_unit_period"`);
    await queryRunner.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "excl_allocations_unit_period"
         EXCLUDE USING gist ("unit_id" WITH =, "period" WITH &&) WHERE ("state" <> 'released')`,
    );
    await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "chk_allocations_release_reason"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "chk_allocations_purpose"`);
    await queryRunner.query(`ALTER TABLE "allocations" ALTER COLUMN "reservation_item_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "allocations" ALTER COLUMN "reservation_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP COLUMN "release_reason"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP COLUMN "reason"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP COLUMN "maintenance_id"`);
    await queryRunner.query(`ALTER TABLE "allocations" DROP COLUMN "purpose"`);
  }
}
