import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the customer must do next on an attempt in requires_action (`next_action.type`, e.g. `redirect_to_url`). */
export class PaymentsNextActionType1795460000000 implements MigrationInterface {
  name = 'PaymentsNextActionType1795460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" ADD "next_action_type" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN "next_action_type"`);
  }
}
