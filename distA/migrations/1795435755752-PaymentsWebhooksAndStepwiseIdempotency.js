export class PaymentsWebhooksAndStepwiseIdempotency1795435755752 {
    constructor() {
        this.name = 'PaymentsWebhooksAndStepwiseIdempotency1795435755752';
    }
    async up(queryRunner) {
        await queryRunner.query(`CREATE TABLE "payment_customers" ("user_id" text NOT NULL, "provider" text NOT NULL, "provider_customer_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_ba419c6dd17d009ba09cc196d62" UNIQUE ("provider_customer_id"), CONSTRAINT "PK_8a1a136d64f734faad02af18886" PRIMARY KEY ("user_id"))`);
        await queryRunner.query(`CREATE TABLE "payments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reservation_id" uuid NOT NULL, "user_id" text NOT NULL, "provider" text NOT NULL, "provider_intent_id" text, "status" text NOT NULL, "amount_cents" integer NOT NULL, "currency" character(3) NOT NULL, "captured_cents" integer NOT NULL DEFAULT '0', "refunded_cents" integer NOT NULL DEFAULT '0', "capture_method" text NOT NULL, "client_secret" text, "charge_id" text, "payment_method_id" text, "failure_code" text, "failure_message" text, "cancel_requested" boolean NOT NULL DEFAULT false, "stuck" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e0596e788144db172d7ed5bef17" UNIQUE ("provider_intent_id"), CONSTRAINT "chk_payments_capture_method" CHECK ("capture_method" IN ('automatic', 'manual')), CONSTRAINT "chk_payments_amounts" CHECK ("amount_cents" > 0 AND "captured_cents" >= 0 AND "refunded_cents" >= 0 AND "refunded_cents" <= "captured_cents"), CONSTRAINT "PK_197ab7af18c93fbb0c9b28b4a59" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_payments_pending" ON "payments"  ("updated_at") WHERE "status" NOT IN ('succeeded', 'canceled', 'failed')`);
        await queryRunner.query(`CREATE INDEX "idx_payments_reservation" ON "payments"  ("reservation_id") `);
        await queryRunner.query(`CREATE TABLE "refunds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "payment_id" uuid NOT NULL, "provider_refund_id" text, "amount_cents" integer NOT NULL, "reason" text, "source" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3fd687dafa2d8642007a0f673ec" UNIQUE ("provider_refund_id"), CONSTRAINT "chk_refunds_status" CHECK ("status" IN ('pending', 'succeeded', 'failed')), CONSTRAINT "chk_refunds_amount" CHECK ("amount_cents" > 0), CONSTRAINT "PK_5106efb01eeda7e49a78b869738" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_refunds_payment" ON "refunds"  ("payment_id") `);
        await queryRunner.query(`CREATE TABLE "saved_payment_methods" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" text NOT NULL, "provider_payment_method_id" text NOT NULL, "type" text NOT NULL DEFAULT 'card', "brand" text NOT NULL, "last4" text NOT NULL, "exp_month" integer NOT NULL, "exp_year" integer NOT NULL, "nickname" text, "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d92af22c1c4ce0a5f8d7532e286" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_saved_payment_methods_default" ON "saved_payment_methods"  ("user_id") WHERE "is_default"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_saved_payment_methods_user_pm" ON "saved_payment_methods"  ("user_id", "provider_payment_method_id") `);
        await queryRunner.query(`CREATE TABLE "webhook_events" ("id" text NOT NULL, "type" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, "error" text, CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_webhook_events_pending" ON "webhook_events"  ("received_at") WHERE "status" = 'pending'`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "locked_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "response_status" DROP NOT NULL`);
        await queryRunner.query(`ALTER TABLE "refunds" ADD CONSTRAINT "FK_7f48aa5d56c42aeb495db016683" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }
    async down(queryRunner) {
        await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_7f48aa5d56c42aeb495db016683"`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "response_status" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "locked_at"`);
        await queryRunner.query(`DROP INDEX "public"."idx_webhook_events_pending"`);
        await queryRunner.query(`DROP TABLE "webhook_events"`);
        await queryRunner.query(`DROP INDEX "public"."uq_saved_payment_methods_user_pm"`);
        await queryRunner.query(`DROP INDEX "public"."uq_saved_payment_methods_default"`);
        await queryRunner.query(`DROP TABLE "saved_payment_methods"`);
        await queryRunner.query(`DROP INDEX "public"."idx_refunds_payment"`);
        await queryRunner.query(`DROP TABLE "refunds"`);
        await queryRunner.query(`DROP INDEX "public"."idx_payments_reservation"`);
        await queryRunner.query(`DROP INDEX "public"."idx_payments_pending"`);
        await queryRunner.query(`DROP TABLE "payments"`);
        await queryRunner.query(`DROP TABLE "payment_customers"`);
    }
}
//# sourceMappingURL=1795435755752-PaymentsWebhooksAndStepwiseIdempotency.js.map