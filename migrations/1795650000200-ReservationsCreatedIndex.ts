import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics export (docs/analytics.md) reads bookings by creation time in keyset
 * chunks, `(created_at, id) > (cursor) ORDER BY created_at, id LIMIT n`: this index makes
 * each chunk an index range scan, whatever the table's size.
 */
export class ReservationsCreatedIndex1795650000200 implements MigrationInterface {
  name = 'ReservationsCreatedIndex1795650000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "idx_reservations_created_id" ON "reservations" ("created_at", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_reservations_created_id"`);
  }
}
