import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customers module's verification cache (src/customers, DESIGN.md section 12): the
 * Customer Management Service's last answer per source (`http` | `simulated`, so a made-up
 * answer is never served as the real service's) and customer id, with when it was given.
 * The raw answer, not the verdict: the rules (and MIN_CREDIT_SCORE) apply on every read.
 * `credit_score` is null for a customer the service does not know.
 */
export class CreateCustomerVerifications1795568000200 implements MigrationInterface {
  name = 'CreateCustomerVerifications1795568000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "customer_verifications" ("source" text NOT NULL, "customer_id" text NOT NULL, "kyc_status" text NOT NULL, "driving_license_valid" boolean NOT NULL, "credit_score" integer, "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_customer_verifications" PRIMARY KEY ("source", "customer_id"), CONSTRAINT "CHK_customer_verifications_source" CHECK ("source" IN ('http', 'simulated')), CONSTRAINT "CHK_customer_verifications_credit_score" CHECK ("credit_score" IS NULL OR ("credit_score" >= 0 AND "credit_score" <= 1000)))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "customer_verifications"`);
  }
}
