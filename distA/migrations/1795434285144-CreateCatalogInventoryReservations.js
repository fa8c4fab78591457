export class CreateCatalogInventoryReservations1795434285144 {
    constructor() {
        this.name = 'CreateCatalogInventoryReservations1795434285144';
    }
    async up(queryRunner) {
        // btree_gist lets the exclusion constraint on allocations compare uuids with `=`.
        await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
        await queryRunner.query(`CREATE TABLE "offerings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "currency" character(3) NOT NULL, "base_price_cents" integer NOT NULL, "active" boolean NOT NULL DEFAULT true, "pricing_rules" jsonb NOT NULL DEFAULT '{}', "refundable_until_hours" integer, "images" jsonb NOT NULL DEFAULT '[]', "attributes" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_offerings_base_price" CHECK ("base_price_cents" >= 0), CONSTRAINT "chk_offerings_kind" CHECK ("kind" IN ('experience', 'product', 'rental')), CONSTRAINT "PK_6d6a2d4bc88776139fc71a60ca6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_offerings_kind_active" ON "offerings"  ("kind", "active") `);
        await queryRunner.query(`CREATE TABLE "rental_units" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "offering_id" uuid NOT NULL, "label" text NOT NULL, "status" text NOT NULL DEFAULT 'available', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_rental_units_status" CHECK ("status" IN ('available', 'maintenance', 'retired')), CONSTRAINT "PK_55ba4c7832b0fa392ab7e5adb6a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_rental_units_offering" ON "rental_units"  ("offering_id") `);
        await queryRunner.query(`CREATE TABLE "stock_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "offering_id" uuid NOT NULL, "sku" text NOT NULL, "on_hand" integer NOT NULL, "held" integer NOT NULL DEFAULT '0', "sold" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_c427528a56ee9c7e24fdf6edd1f" UNIQUE ("sku"), CONSTRAINT "chk_stock_items_counters" CHECK ("held" >= 0 AND "sold" >= 0 AND "held" + "sold" <= "on_hand"), CONSTRAINT "PK_52a266aa3e04b8ad1f01088f3f0" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_stock_items_offering" ON "stock_items"  ("offering_id") `);
        await queryRunner.query(`CREATE TABLE "time_slots" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "offering_id" uuid NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "capacity" integer NOT NULL, "held" integer NOT NULL DEFAULT '0', "booked" integer NOT NULL DEFAULT '0', "status" text NOT NULL DEFAULT 'open', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_time_slots_range" CHECK ("ends_at" > "starts_at"), CONSTRAINT "chk_time_slots_status" CHECK ("status" IN ('open', 'closed', 'cancelled')), CONSTRAINT "chk_time_slots_counters" CHECK ("held" >= 0 AND "booked" >= 0 AND "held" + "booked" <= "capacity"), CONSTRAINT "PK_f87c73d8648c3f3f297adba3cb8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_time_slots_offering_starts" ON "time_slots"  ("offering_id", "starts_at") `);
        await queryRunner.query(`CREATE TABLE "allocations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reservation_id" uuid NOT NULL, "reservation_item_id" uuid NOT NULL, "resource_type" text NOT NULL, "time_slot_id" uuid, "stock_item_id" uuid, "unit_id" uuid, "quantity" integer NOT NULL, "period" tstzrange, "state" text NOT NULL DEFAULT 'held', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_allocations_resource" CHECK (("resource_type" = 'slot' AND "time_slot_id" IS NOT NULL AND "stock_item_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'sku' AND "stock_item_id" IS NOT NULL AND "time_slot_id" IS NULL AND "unit_id" IS NULL AND "period" IS NULL)
   OR ("resource_type" = 'unit' AND "unit_id" IS NOT NULL AND "period" IS NOT NULL AND "time_slot_id" IS NULL AND "stock_item_id" IS NULL AND "quantity" = 1)), CONSTRAINT "chk_allocations_quantity" CHECK ("quantity" > 0), CONSTRAINT "chk_allocations_state" CHECK ("state" IN ('held', 'committed', 'released')), CONSTRAINT "excl_allocations_unit_period" EXCLUDE USING gist ("unit_id" WITH =, "period" WITH &&) WHERE ("state" <> 'released'), CONSTRAINT "PK_ca63099fc248466264af0fa6f1f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_allocations_stock_item_live" ON "allocations"  ("stock_item_id") WHERE "state" <> 'released'`);
        await queryRunner.query(`CREATE INDEX "idx_allocations_time_slot_live" ON "allocations"  ("time_slot_id") WHERE "state" <> 'released'`);
        await queryRunner.query(`CREATE INDEX "idx_allocations_reservation" ON "allocations"  ("reservation_id") `);
        await queryRunner.query(`CREATE TABLE "reservations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" text NOT NULL, "status" text NOT NULL, "hold_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "guest_name" text NOT NULL, "guest_email" text NOT NULL, "guest_phone" text, "special_requests" text, "original_cents" integer NOT NULL, "discount_cents" integer NOT NULL, "total_cents" integer NOT NULL, "currency" character(3) NOT NULL, "applied_discounts" jsonb NOT NULL, "reference" text, "status_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_12c605ea41137000c9c0aeca9ce" UNIQUE ("reference"), CONSTRAINT "chk_reservations_amounts" CHECK ("original_cents" >= 0 AND "discount_cents" >= 0 AND "total_cents" = "original_cents" - "discount_cents"), CONSTRAINT "chk_reservations_status" CHECK ("status" IN ('held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired')), CONSTRAINT "PK_da95cef71b617ac35dc5bcda243" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_reservations_hold_expiry" ON "reservations"  ("hold_expires_at") WHERE "status" IN ('held', 'pending', 'payment_failed')`);
        await queryRunner.query(`CREATE INDEX "idx_reservations_user_created" ON "reservations"  ("user_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "reservation_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reservation_id" uuid NOT NULL, "offering_id" uuid NOT NULL, "kind" text NOT NULL, "time_slot_id" uuid, "sku" text, "start_date" date, "end_date" date, "quantity" integer NOT NULL, "unit_price_cents" integer NOT NULL, "original_cents" integer NOT NULL, "discount_cents" integer NOT NULL, "total_cents" integer NOT NULL, CONSTRAINT "PK_bfc06fb7312bf99dd93bbe73844" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_reservation_items_reservation" ON "reservation_items"  ("reservation_id") `);
        await queryRunner.query(`ALTER TABLE "rental_units" ADD CONSTRAINT "FK_86c42c3b3c267d485e83ae6e3e5" FOREIGN KEY ("offering_id") REFERENCES "offerings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "stock_items" ADD CONSTRAINT "FK_91d14253cc7089a6074563d39ae" FOREIGN KEY ("offering_id") REFERENCES "offerings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "time_slots" ADD CONSTRAINT "FK_110946b0fed5a579bb3807dd40a" FOREIGN KEY ("offering_id") REFERENCES "offerings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "allocations" ADD CONSTRAINT "FK_a6f9b730b7367b1b8bb78bcd5fe" FOREIGN KEY ("time_slot_id") REFERENCES "time_slots"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "allocations" ADD CONSTRAINT "FK_000f0c8b76ea48db5eb2c190db3" FOREIGN KEY ("stock_item_id") REFERENCES "stock_items"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "allocations" ADD CONSTRAINT "FK_e569959734b1399b5ff304348a8" FOREIGN KEY ("unit_id") REFERENCES "rental_units"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reservation_items" ADD CONSTRAINT "FK_77fd31f8972b8cd9165c47443e7" FOREIGN KEY ("reservation_id") REFERENCES "reservations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reservation_items" ADD CONSTRAINT "FK_52eceaa06a80aeb431b94a55f7e" FOREIGN KEY ("offering_id") REFERENCES "offerings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reservation_items" ADD CONSTRAINT "FK_c195851b3c23a4e1c540cdbd6cd" FOREIGN KEY ("time_slot_id") REFERENCES "time_slots"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }
    async down(queryRunner) {
        await queryRunner.query(`ALTER TABLE "reservation_items" DROP CONSTRAINT "FK_c195851b3c23a4e1c540cdbd6cd"`);
        await queryRunner.query(`ALTER TABLE "reservation_items" DROP CONSTRAINT "FK_52eceaa06a80aeb431b94a55f7e"`);
        await queryRunner.query(`ALTER TABLE "reservation_items" DROP CONSTRAINT "FK_77fd31f8972b8cd9165c47443e7"`);
        await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "FK_e569959734b1399b5ff304348a8"`);
        await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "FK_000f0c8b76ea48db5eb2c190db3"`);
        await queryRunner.query(`ALTER TABLE "allocations" DROP CONSTRAINT "FK_a6f9b730b7367b1b8bb78bcd5fe"`);
        await queryRunner.query(`ALTER TABLE "time_slots" DROP CONSTRAINT "FK_110946b0fed5a579bb3807dd40a"`);
        await queryRunner.query(`ALTER TABLE "stock_items" DROP CONSTRAINT "FK_91d14253cc7089a6074563d39ae"`);
        await queryRunner.query(`ALTER TABLE "rental_units" DROP CONSTRAINT "FK_86c42c3b3c267d485e83ae6e3e5"`);
        await queryRunner.query(`DROP INDEX "public"."idx_reservation_items_reservation"`);
        await queryRunner.query(`DROP TABLE "reservation_items"`);
        await queryRunner.query(`DROP INDEX "public"."idx_reservations_user_created"`);
        await queryRunner.query(`DROP INDEX "public"."idx_reservations_hold_expiry"`);
        await queryRunner.query(`DROP TABLE "reservations"`);
        await queryRunner.query(`DROP INDEX "public"."idx_allocations_reservation"`);
        await queryRunner.query(`DROP INDEX "public"."idx_allocations_time_slot_live"`);
        await queryRunner.query(`DROP INDEX "public"."idx_allocations_stock_item_live"`);
        await queryRunner.query(`DROP TABLE "allocations"`);
        await queryRunner.query(`DROP INDEX "public"."idx_time_slots_offering_starts"`);
        await queryRunner.query(`DROP TABLE "time_slots"`);
        await queryRunner.query(`DROP INDEX "public"."idx_stock_items_offering"`);
        await queryRunner.query(`DROP TABLE "stock_items"`);
        await queryRunner.query(`DROP INDEX "public"."idx_rental_units_offering"`);
        await queryRunner.query(`DROP TABLE "rental_units"`);
        await queryRunner.query(`DROP INDEX "public"."idx_offerings_kind_active"`);
        await queryRunner.query(`DROP TABLE "offerings"`);
    }
}
//# sourceMappingURL=1795434285144-CreateCatalogInventoryReservations.js.map