import type { TestApp } from './test-app';

/**
 * Lets `ms` pass for these holds without waiting: back-dates their `hold_expires_at` by
 * `ms`. Whether a hold has expired is decided in SQL against PostgreSQL's now(), which the
 * app's clock (`t.clock`) cannot move; and moving only the app's clock would stamp the
 * next holds that much later than the database's time.
 */
export async function backdateHolds(t: TestApp, ms: number, reservationIds: string[]): Promise<void> {
  await t.dataSource.query(
    `UPDATE reservations SET hold_expires_at = hold_expires_at - make_interval(secs => $2) WHERE id = ANY($1::uuid[])`,
    [reservationIds, ms / 1000],
  );
}
