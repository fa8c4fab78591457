import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a payment is stuck (listed for admins): a refund the provider refused, money that does not match our row. */
export class PaymentsStuckReason1795463117000 implements MigrationInterface {
  name = 'PaymentsStuckReason1795463117000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" ADD "stuck_reason" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN "stuck_reason"`);
  }
}
