import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support cases (src/support): failures that need a person, opened in the transaction of
 * the failure that asks for one, resolved by an admin. `reservation_id` is a plain uuid
 * with no foreign key: a case may outlive or predate what it is about, and the support
 * module names no other module's table.
 */
export class CreateSupportCases1795481000001 implements MigrationInterface {
  name = 'CreateSupportCases1795481000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "support_cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "reservation_id" uuid, "status" text NOT NULL DEFAULT 'open', "details" jsonb NOT NULL DEFAULT '{}', "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by" text, "resolution" text, CONSTRAINT "chk_support_cases_status" CHECK ("status" IN ('open', 'resolved')), CONSTRAINT "chk_support_cases_resolved" CHECK (("status" = 'resolved') = ("resolved_at" IS NOT NULL AND "resolved_by" IS NOT NULL AND "resolution" IS NOT NULL)), CONSTRAINT "PK_support_cases" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_support_cases_status" ON "support_cases" ("status", "opened_at" DESC)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_support_cases_reservation" ON "support_cases" ("reservation_id") WHERE "reservation_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "support_cases"`);
  }
}
