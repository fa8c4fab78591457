import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (src/notifications): one row per email asked for, written in the
 * transaction of the change it tells about (its job, `notifications-email`, carries only
 * the row's id, so the guest's address and the facts stay out of the job table), and the
 * dev outbox: what the dev sender "sent" when SMTP_URL is unset (GET /v1/dev/emails).
 * `reservation_id` is a plain uuid with no foreign key: notifications name no other
 * module's table.
 */
export class CreateNotifications1795482000000 implements MigrationInterface {
  name = 'CreateNotifications1795482000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "template" text NOT NULL, "user_id" text NOT NULL, "reservation_id" uuid, "recipient" text NOT NULL, "locale" text NOT NULL, "data" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT 0, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "chk_notifications_status" CHECK ("status" IN ('queued', 'sent', 'suppressed', 'failed')), CONSTRAINT "PK_notifications" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_reservation" ON "notifications" ("reservation_id") WHERE "reservation_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "dev_emails" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "notification_id" uuid NOT NULL, "recipient" text NOT NULL, "subject" text NOT NULL, "text" text NOT NULL, "html" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dev_emails" PRIMARY KEY ("id"), CONSTRAINT "UQ_dev_emails_notification" UNIQUE ("notification_id"), CONSTRAINT "FK_dev_emails_notification" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_dev_emails_created" ON "dev_emails" ("created_at" DESC, "id" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "dev_emails"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
