export class CreateIdempotencyKeys1795000000000 {
    constructor() {
        this.name = 'CreateIdempotencyKeys1795000000000';
    }
    async up(queryRunner) {
        await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        "scope" text NOT NULL,
        "key" text NOT NULL,
        "request_hash" text NOT NULL,
        "state" text NOT NULL DEFAULT 'completed',
        "response_status" integer NOT NULL,
        "response_body" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("scope", "key")
      )`);
        await queryRunner.query(`CREATE INDEX "idx_idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at")`);
    }
    async down(queryRunner) {
        await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    }
}
//# sourceMappingURL=1795000000000-CreateIdempotencyKeys.js.map