import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shipping rates (src/shipping): every rate a quote offered, kept 15 minutes for the
 * reservation it was quoted for (`expires_at`, set from the app's clock), with the
 * address and weight it was quoted for, so the rate chosen later is exactly the one
 * shown. `reservation_id` is a plain uuid with no foreign key: the shipping module names
 * no other module's table, and quotes are asked before anything is stored on the
 * reservation. Amounts in the currency's minor units, as everywhere.
 *
 * Seeds one feature flag per simulated carrier, on: `shipping.carrier.fedex`, `.ups` and
 * `.usps` (DESIGN.md section 13); off, that carrier is not asked. An HTTP carrier with
 * another name needs a migration seeding its flag (until then it is asked, flag-less).
 */
export class CreateShippingRates1795482000200 implements MigrationInterface {
  name = 'CreateShippingRates1795482000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "shipping_rates" ("id" uuid NOT NULL, "reservation_id" uuid NOT NULL, "carrier" text NOT NULL, "service" text NOT NULL, "amount" integer NOT NULL, "currency" character(3) NOT NULL, "estimated_days" integer NOT NULL, "fallback" boolean NOT NULL, "address" jsonb NOT NULL, "weight_grams" integer NOT NULL, "quoted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chk_shipping_rates_amount" CHECK ("amount" >= 0), CONSTRAINT "chk_shipping_rates_days" CHECK ("estimated_days" >= 0), CONSTRAINT "chk_shipping_rates_weight" CHECK ("weight_grams" > 0), CONSTRAINT "chk_shipping_rates_expiry" CHECK ("expires_at" > "quoted_at"), CONSTRAINT "PK_shipping_rates" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_shipping_rates_reservation" ON "shipping_rates" ("reservation_id", "expires_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_shipping_rates_expires_at" ON "shipping_rates" ("expires_at")`);
    await queryRunner.query(
      `INSERT INTO "feature_flags" ("key", "enabled", "description", "updated_by") VALUES
         ('shipping.carrier.fedex', true, 'Ask the carrier fedex for shipping rates. Off: it is not asked; the other carriers (or the flat rates) answer.', 'system:migration'),
         ('shipping.carrier.ups', true, 'Ask the carrier ups for shipping rates. Off: it is not asked; the other carriers (or the flat rates) answer.', 'system:migration'),
         ('shipping.carrier.usps', true, 'Ask the carrier usps for shipping rates. Off: it is not asked; the other carriers (or the flat rates) answer.', 'system:migration')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "feature_flags" WHERE "key" LIKE 'shipping.carrier.%'`);
    await queryRunner.query(`DROP TABLE "shipping_rates"`);
  }
}
