import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Goods checkout (DESIGN.md section 11): a reservation with products carries where they
 * go, the chosen rate, the tax on it, and once shipped, the shipment. Its total is now
 * the discounted subtotal plus shipping plus tax (`shipping_cents` stays null until a
 * rate is chosen).
 */
export class ReservationShippingAndTax1795482000400 implements MigrationInterface {
  name = 'ReservationShippingAndTax1795482000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "reservations" ADD "shipping_address" jsonb, ADD "shipping_rate_id" uuid, ADD "shipping_carrier" text, ADD "shipping_service" text, ADD "shipping_estimated_days" integer, ADD "shipping_cents" integer, ADD "tax_cents" integer NOT NULL DEFAULT 0, ADD "tax_rate" text, ADD "tax_estimated" boolean NOT NULL DEFAULT false, ADD "shipped_at" TIMESTAMP WITH TIME ZONE, ADD "shipment_carrier" text, ADD "tracking_number" text`,
    );
    await queryRunner.query(`ALTER TABLE "reservations" DROP CONSTRAINT "chk_reservations_amounts"`);
    await queryRunner.query(
      `ALTER TABLE "reservations" ADD CONSTRAINT "chk_reservations_amounts" CHECK ("original_cents" >= 0 AND "discount_cents" >= 0 AND COALESCE("shipping_cents", 0) >= 0 AND "tax_cents" >= 0 AND "total_cents" = "original_cents" - "discount_cents" + COALESCE("shipping_cents", 0) + "tax_cents")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reservations" DROP CONSTRAINT "chk_reservations_amounts"`);
    await queryRunner.query(
      `ALTER TABLE "reservations" DROP COLUMN "shipping_address", DROP COLUMN "shipping_rate_id", DROP COLUMN "shipping_carrier", DROP COLUMN "shipping_service", DROP COLUMN "shipping_estimated_days", DROP COLUMN "shipping_cents", DROP COLUMN "tax_cents", DROP COLUMN "tax_rate", DROP COLUMN "tax_estimated", DROP COLUMN "shipped_at", DROP COLUMN "shipment_carrier", DROP COLUMN "tracking_number"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reservations" ADD CONSTRAINT "chk_reservations_amounts" CHECK ("original_cents" >= 0 AND "discount_cents" >= 0 AND "total_cents" = "original_cents" - "discount_cents")`,
    );
  }
}
