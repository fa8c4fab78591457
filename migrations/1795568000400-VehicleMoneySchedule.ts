import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vehicle money schedule (DESIGN.md section 12, "Money"; docs/payments.md, "The
 * vehicle money schedule").
 *
 * - `payment_setups` (owned by payments): a card saved for off-session use on a
 *   SetupIntent, one row per attempt, written before the provider is called (its id is the
 *   key `seti:{id}`), for a vehicle booked further ahead than RENTAL_AUTH_LEAD_DAYS. The
 *   reservation is opaque to payments (no foreign key). Statuses are a SetupIntent's, plus
 *   `creating` (our row, no answer yet) and `failed` (never reached the provider).
 * - `payments.off_session`: the attempt was made while the customer was away (a scheduled
 *   or renewed authorisation, a fine): a decline there asks the customer to act on a
 *   booking that stands, it never fails the booking.
 * - `rentals.action_required_for`: the authorisation attempt the customer was last asked
 *   to complete (email and support case sent once per attempt).
 */
export class VehicleMoneySchedule1795568000400 implements MigrationInterface {
  name = 'VehicleMoneySchedule1795568000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "payment_setups" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "reservation_id" uuid NOT NULL,
         "user_id" text NOT NULL,
         "provider" text NOT NULL,
         "provider_setup_intent_id" text,
         "status" text NOT NULL DEFAULT 'creating',
         "customer_id" text,
         "payment_method_id" text,
         "client_secret" text,
         "next_action_type" text,
         "failure_code" text,
         "failure_message" text,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_payment_setups" PRIMARY KEY ("id"),
         CONSTRAINT "UQ_payment_setups_intent" UNIQUE ("provider_setup_intent_id"),
         CONSTRAINT "chk_payment_setups_status" CHECK ("status" IN
           ('creating', 'requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'succeeded', 'canceled', 'failed'))
       )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_payment_setups_reservation" ON "payment_setups" ("reservation_id")`);
    await queryRunner.query(`ALTER TABLE "payments" ADD "off_session" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "rentals" ADD "action_required_for" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rentals" DROP "action_required_for"`);
    await queryRunner.query(`ALTER TABLE "payments" DROP "off_session"`);
    await queryRunner.query(`DROP TABLE "payment_setups"`);
  }
}
