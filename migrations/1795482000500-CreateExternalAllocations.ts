import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a reservation holds at the Inventory Management System (DESIGN.md section 10):
 * one row per external item, written in the hold's transaction right after the IMS
 * answered, with the IMS's reservation id. `held` until the order is confirmed there
 * (`confirmed`), given back (`released`), or refused for good (`rejected`). Owned by
 * inventory; `reservation_id` has no foreign key (inventory names no other module's table).
 */
export class CreateExternalAllocations1795482000500 implements MigrationInterface {
  name = 'CreateExternalAllocations1795482000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "external_allocations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reservation_id" uuid NOT NULL, "reservation_item_id" uuid NOT NULL, "offering_id" uuid NOT NULL, "ims_item_id" text NOT NULL, "ims_reservation_id" text NOT NULL, "quantity" integer, "start_date" date, "end_date" date, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL DEFAULT 'held', "ims_order_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_external_allocations_status" CHECK ("status" IN ('held', 'confirmed', 'released', 'rejected')), CONSTRAINT "chk_external_allocations_what" CHECK (("quantity" IS NOT NULL AND "quantity" > 0) OR ("start_date" IS NOT NULL AND "end_date" > "start_date")), CONSTRAINT "PK_external_allocations" PRIMARY KEY ("id"), CONSTRAINT "UQ_external_allocations_ims" UNIQUE ("ims_reservation_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_external_allocations_reservation" ON "external_allocations" ("reservation_id")`);
    await queryRunner.query(
      `INSERT INTO "feature_flags" ("key", "enabled", "variant", "description", "updated_by") VALUES
         ('inventory.ims', true, NULL, 'Order external offerings through the inventory system (IMS). Off: they show orderable: false and holds of them answer 503 INVENTORY_UNAVAILABLE; internal items are unaffected.', 'system:migration')
       ON CONFLICT ("key") DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "feature_flags" WHERE "key" = 'inventory.ims'`);
    await queryRunner.query(`DROP TABLE "external_allocations"`);
  }
}
