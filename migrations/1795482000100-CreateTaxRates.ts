import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tax module's rate cache (src/tax, DESIGN.md section 11): one rate per provider and
 * place (country, region or '', postal code), with when it was fetched. Rates, not amounts,
 * so a cached rate prices any subtotal exactly; fresh for 24 h, and used (as an estimate)
 * up to 7 days when the provider fails. The provider is part of the key so that rates the
 * simulated provider made up are never served as the real provider's.
 *
 * Seeds the `tax.provider` flag, on with no variant: the configured default provider
 * (http with TAX_API_URL and TAX_API_KEY, else simulated).
 */
export class CreateTaxRates1795482000100 implements MigrationInterface {
  name = 'CreateTaxRates1795482000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tax_rates" ("provider" text NOT NULL, "country" character(2) NOT NULL, "region" text NOT NULL DEFAULT '', "postal_code" text NOT NULL, "rate" numeric NOT NULL, "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_tax_rates" PRIMARY KEY ("provider", "country", "region", "postal_code"), CONSTRAINT "CHK_tax_rates_rate" CHECK ("rate" >= 0 AND "rate" <= 1))`,
    );
    await queryRunner.query(
      `INSERT INTO "feature_flags" ("key", "enabled", "variant", "description", "updated_by") VALUES
         ('tax.provider', true, NULL, 'Which tax provider prices tax: variant http (the TaxJar-style API at TAX_API_URL) or simulated; no variant: http when TAX_API_URL and TAX_API_KEY are set, else simulated. Off: no provider is asked; cached rates, then the TAX_FALLBACK_RATES table (tax estimated). Production never uses simulated.', 'system:migration')
       ON CONFLICT ("key") DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "feature_flags" WHERE "key" = 'tax.provider'`);
    await queryRunner.query(`DROP TABLE "tax_rates"`);
  }
}
