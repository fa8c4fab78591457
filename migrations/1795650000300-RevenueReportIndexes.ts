import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin revenue report (docs/graphql.md) reads captured payments of one currency and
 * succeeded refunds by creation time: two partial indexes, so a month's report reads that
 * month's money rows, not the whole tables.
 */
export class RevenueReportIndexes1795650000300 implements MigrationInterface {
  name = 'RevenueReportIndexes1795650000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_payments_captured_created" ON "payments" ("currency", "created_at") WHERE "captured_cents" > 0`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_refunds_succeeded_created" ON "refunds" ("created_at") WHERE "status" = 'succeeded'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_refunds_succeeded_created"`);
    await queryRunner.query(`DROP INDEX "idx_payments_captured_created"`);
  }
}
