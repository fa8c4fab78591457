import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vehicles (DESIGN.md sections 3 and 12, issue 14 item 1). Offerings gain `vehicle` and a
 * `rental_policy` (a vehicle is a rental of our own inventory with a policy; only rentals
 * carry one). Rental units gain the vehicle's plate, model, seats, energy, the fleet's id
 * (unique) and the fleet's status. The ledger gains a small index to find the unit of a
 * reservation item (unit rows only, so the slot and SKU inserts of the hot hold path do
 * not maintain it). Existing rows: not vehicles, no policy, fleet status `available`.
 */
export class VehicleOfferingsAndUnits1795568000100 implements MigrationInterface {
  name = 'VehicleOfferingsAndUnits1795568000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "offerings" ADD "vehicle" boolean NOT NULL DEFAULT false, ADD "rental_policy" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "offerings" ADD CONSTRAINT "chk_offerings_vehicle" CHECK (NOT "vehicle" OR ("kind" = 'rental' AND "rental_policy" IS NOT NULL AND "inventory_source" = 'internal'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "offerings" ADD CONSTRAINT "chk_offerings_rental_policy" CHECK ("rental_policy" IS NULL OR "kind" = 'rental')`,
    );
    await queryRunner.query(
      `ALTER TABLE "rental_units" ADD "plate" text, ADD "model" text, ADD "seats" integer, ADD "energy" text, ADD "fleet_vehicle_id" text, ADD "fleet_status" text NOT NULL DEFAULT 'available'`,
    );
    await queryRunner.query(
      `ALTER TABLE "rental_units" ADD CONSTRAINT "chk_rental_units_energy" CHECK ("energy" IS NULL OR "energy" IN ('fuel', 'electric'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "rental_units" ADD CONSTRAINT "chk_rental_units_seats" CHECK ("seats" IS NULL OR "seats" BETWEEN 1 AND 99)`,
    );
    await queryRunner.query(
      `ALTER TABLE "rental_units" ADD CONSTRAINT "chk_rental_units_fleet_status" CHECK ("fleet_status" IN ('available', 'in_use', 'maintenance', 'out_of_service'))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rental_units_fleet_vehicle_id" ON "rental_units" ("fleet_vehicle_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_allocations_unit_item" ON "allocations" ("reservation_item_id") WHERE "resource_type" = 'unit'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_allocations_unit_item"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rental_units_fleet_vehicle_id"`);
    await queryRunner.query(`ALTER TABLE "rental_units" DROP CONSTRAINT "chk_rental_units_fleet_status"`);
    await queryRunner.query(`ALTER TABLE "rental_units" DROP CONSTRAINT "chk_rental_units_seats"`);
    await queryRunner.query(`ALTER TABLE "rental_units" DROP CONSTRAINT "chk_rental_units_energy"`);
    await queryRunner.query(
      `ALTER TABLE "rental_units" DROP COLUMN "fleet_status", DROP COLUMN "fleet_vehicle_id", DROP COLUMN "energy", DROP COLUMN "seats", DROP COLUMN "model", DROP COLUMN "plate"`,
    );
    await queryRunner.query(`ALTER TABLE "offerings" DROP CONSTRAINT "chk_offerings_rental_policy"`);
    await queryRunner.query(`ALTER TABLE "offerings" DROP CONSTRAINT "chk_offerings_vehicle"`);
    await queryRunner.query(`ALTER TABLE "offerings" DROP COLUMN "rental_policy", DROP COLUMN "vehicle"`);
  }
}
