import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feature flags (src/flags), read through OpenFeature with a few seconds of cache per
 * process. Seeds the first two flags, both on: `notifications.email` (send email jobs)
 * and `events.relay` (relay the outbox to NATS). `updated_by` is the admin who last
 * flipped it, or `system:migration` for the seed.
 */
export class CreateFeatureFlags1795481000002 implements MigrationInterface {
  name = 'CreateFeatureFlags1795481000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "feature_flags" ("key" text NOT NULL, "enabled" boolean NOT NULL, "variant" text, "description" text NOT NULL DEFAULT '', "updated_by" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_feature_flags" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `INSERT INTO "feature_flags" ("key", "enabled", "description", "updated_by") VALUES
         ('notifications.email', true, 'Send email notifications (reservation confirmed, cancelled, refunded, payment failed). Off: no email job is enqueued.', 'system:migration'),
         ('events.relay', true, 'Relay outbox events to NATS JetStream when EVENTS_NATS_URL is set. Off: events stay in the outbox (and the admin feed) until it is back on.', 'system:migration')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "feature_flags"`);
  }
}
