import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (libs/audit): who (the acting admin's user id) did what (`action`) to
 * which record (`record_type` + `record_id`), when, with the record before and after as
 * jsonb. Written in the same transaction as the change it describes; never updated.
 */
export class CreateAuditLog1795481000000 implements MigrationInterface {
  name = 'CreateAuditLog1795481000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "record_type" text NOT NULL, "record_id" text NOT NULL, "action" text NOT NULL, "before" jsonb, "after" jsonb, CONSTRAINT "PK_audit_log" PRIMARY KEY ("id"))`,
    );
    // The read route filters by record, by actor, or by time only; newest first.
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_log_record" ON "audit_log" ("record_type", "record_id", "occurred_at" DESC)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_actor" ON "audit_log" ("actor", "occurred_at" DESC)`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_occurred_at" ON "audit_log" ("occurred_at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
