/**
 * The slots the hold benches hold on: one experience with many slots, and a table
 * `bench_slots (n, id)` numbering them 1..count for pgbench, which can only draw numbers
 * (`pgbenchScript` picks `WHERE n = :n`).
 */
import type pg from 'pg';

export interface SlotSeed {
  offeringId: string;
  slotIds: string[];
}

/** One experience at `priceCents` (EUR, no pricing rules) with `count` slots of `capacity`, an hour apart from 10 days out. */
export async function seedSlots(
  db: pg.Client,
  settings: { count: number; capacity: number; priceCents: number },
): Promise<SlotSeed> {
  const offeringId = (
    (
      await db.query(
        `INSERT INTO offerings (kind, title, description, currency, base_price_cents, pricing_rules)
         VALUES ('experience', 'Bench experience', 'benchmark', 'EUR', $1, '{}') RETURNING id`,
        [settings.priceCents],
      )
    ).rows[0] as { id: string }
  ).id;
  // Slots an hour apart from 10 days out, so none starts during the run.
  const slotIds = (
    await db.query(
      `INSERT INTO time_slots (offering_id, starts_at, ends_at, capacity)
       SELECT $1, date_trunc('hour', now()) + interval '10 days' + g * interval '1 hour',
              date_trunc('hour', now()) + interval '10 days' + g * interval '1 hour' + interval '1 hour', $2
         FROM generate_series(1, $3) AS g
       RETURNING id`,
      [offeringId, settings.capacity, settings.count],
    )
  ).rows.map((r: { id: string }) => r.id);
  await db.query(`CREATE TABLE bench_slots (n int PRIMARY KEY, id uuid NOT NULL)`);
  await db.query(`INSERT INTO bench_slots (n, id) SELECT o.n::int, o.id FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, [
    slotIds,
  ]);
  return { offeringId, slotIds };
}
