import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of reservation events (docs/operations.md, "The outbox and the event
 * stream"). Each row is written in the transaction of the change it reports.
 *
 * Ids are not commit order, so readers order by `position` (an xid8: the writing
 * transaction's id, raised to the reservation's previous event's, see
 * `nextEventPosition`) then `id`, and read only positions below the oldest transaction
 * still running (`pg_snapshot_xmin`): nothing can later appear below what they read.
 * `reservations.event_position` carries the reservation's last position, so the next
 * change of the same reservation never sorts before it.
 */
export class CreateOutboxEvents1795480000000 implements MigrationInterface {
  name = 'CreateOutboxEvents1795480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "outbox_events" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "event_id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "position" xid8 NOT NULL DEFAULT pg_current_xact_id(),
        "type" text NOT NULL,
        "reservation_id" uuid NOT NULL,
        "user_id" text NOT NULL,
        "occurred_at" timestamptz NOT NULL DEFAULT now(),
        "payload" jsonb NOT NULL DEFAULT '{}',
        "published_at" timestamptz,
        CONSTRAINT "UQ_outbox_events_event_id" UNIQUE ("event_id"),
        CONSTRAINT "CHK_outbox_events_type" CHECK ("type" IN
          ('held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired'))
      )`);
    // The feed: (position, id) after a cursor.
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_feed" ON "outbox_events" ("position", "id")`);
    // The relay: what is not yet published, in the same order (small: it empties as the relay runs).
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_events_unpublished" ON "outbox_events" ("position", "id") WHERE "published_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_reservation" ON "outbox_events" ("reservation_id", "id")`);
    await queryRunner.query(`ALTER TABLE "reservations" ADD "event_position" xid8`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reservations" DROP COLUMN "event_position"`);
    await queryRunner.query(`DROP TABLE "outbox_events"`);
  }
}
