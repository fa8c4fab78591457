import type { MigrationInterface, QueryRunner } from 'typeorm';

const RESERVATION_TYPES = `'held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired'`;
const RENTAL_TYPES = `'rental_in_progress', 'rental_returned', 'rental_return_disputed', 'rental_completed'`;

/**
 * A vehicle rental's own state changes (its `rentalStatus`: started by the first unlock,
 * returned, disputed, completed) are outbox events too (DESIGN.md invariant 8), beside
 * the reservation's status changes, in the same per-reservation order.
 */
export class RentalEvents1795568000500 implements MigrationInterface {
  name = 'RentalEvents1795568000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP CONSTRAINT "CHK_outbox_events_type"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_events" ADD CONSTRAINT "CHK_outbox_events_type" CHECK ("type" IN (${RESERVATION_TYPES}, ${RENTAL_TYPES}))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "outbox_events" WHERE "type" IN (${RENTAL_TYPES})`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP CONSTRAINT "CHK_outbox_events_type"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_events" ADD CONSTRAINT "CHK_outbox_events_type" CHECK ("type" IN (${RESERVATION_TYPES}))`,
    );
  }
}
