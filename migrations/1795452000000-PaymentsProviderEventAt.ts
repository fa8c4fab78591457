import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `created` time of the newest provider event applied to a payment (out-of-order webhooks). */
export class PaymentsProviderEventAt1795452000000 implements MigrationInterface {
  name = 'PaymentsProviderEventAt1795452000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" ADD "provider_event_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" DROP COLUMN "provider_event_at"`);
  }
}
