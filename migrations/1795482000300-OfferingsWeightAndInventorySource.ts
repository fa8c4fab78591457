import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offerings gain what goods checkout needs (DESIGN.md sections 10 and 11): a product's
 * shipping weight, and whose stock it is (`internal`: our ledger; `external`: the
 * Inventory Management System, by `external_item_id`).
 */
export class OfferingsWeightAndInventorySource1795482000300 implements MigrationInterface {
  name = 'OfferingsWeightAndInventorySource1795482000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "offerings" ADD "weight_grams" integer, ADD "inventory_source" text NOT NULL DEFAULT 'internal', ADD "external_item_id" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "offerings" ADD CONSTRAINT "chk_offerings_weight" CHECK ("weight_grams" IS NULL OR "weight_grams" > 0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "offerings" ADD CONSTRAINT "chk_offerings_inventory_source" CHECK ("inventory_source" = 'internal' OR ("inventory_source" = 'external' AND "external_item_id" IS NOT NULL))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "offerings" DROP CONSTRAINT "chk_offerings_inventory_source"`);
    await queryRunner.query(`ALTER TABLE "offerings" DROP CONSTRAINT "chk_offerings_weight"`);
    await queryRunner.query(
      `ALTER TABLE "offerings" DROP COLUMN "external_item_id", DROP COLUMN "inventory_source", DROP COLUMN "weight_grams"`,
    );
  }
}
