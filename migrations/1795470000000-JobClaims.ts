import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leases for the recurring passes that call the payment provider (reconciliation, the
 * refund and release flush, the expiry sweep of pending reservations): a pass claims its
 * rows by stamping one of these in a short statement with FOR UPDATE SKIP LOCKED, so
 * replicas running the same pass at once call the provider once per row. NULL or past:
 * free to claim. docs/operations.md, "Jobs on many replicas".
 */
export class JobClaims1795470000000 implements MigrationInterface {
  name = 'JobClaims1795470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" ADD "reconcile_claimed_until" timestamptz`);
    await queryRunner.query(`ALTER TABLE "payments" ADD "release_claimed_until" timestamptz`);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "claimed_until" timestamptz`);
    await queryRunner.query(`ALTER TABLE "reservations" ADD "sweep_claimed_until" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reservations" DROP COLUMN "sweep_claimed_until"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "claimed_until"`);
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN "release_claimed_until"`);
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN "reconcile_claimed_until"`);
  }
}
