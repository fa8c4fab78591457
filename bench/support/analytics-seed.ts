/**
 * A year of bookings for `npm run bench:analytics`, written by SQL `generate_series` into
 * the real tables (reservations, their items, rental allocations, payments, refunds and
 * the outbox's status events), so the export reads what production would hold:
 * 70 % experiences (a slot, 1 to 4 guests), 10 % products, 20 % vehicle-style rentals
 * (1 to 5 days on one of 1,000 units); 5 % cancelled with a fee kept, 4 % refunded,
 * about 6 % expired holds, the rest confirmed; a tenth with a 10 % discount.
 */
import type pg from 'pg';

export interface AnalyticsSeed {
  bookings: number;
  /** The first booking's creation time and the one after the last (the year's range). */
  from: Date;
  to: Date;
  /** The creation time of booking `n + 1`: [from, at) holds exactly the first n bookings. */
  after: (n: number) => Promise<Date>;
}

const UNITS = 1000;

export async function seedYear(db: pg.Client, bookings: number): Promise<AnalyticsSeed> {
  const offering = async (kind: string, title: string, price: number, extra = '') =>
    (
      (
        await db.query(
          `INSERT INTO offerings (kind, title, description, currency, base_price_cents, pricing_rules${extra ? ', vehicle, rental_policy' : ''})
           VALUES ($1, $2, 'benchmark', 'EUR', $3, '{}'${extra}) RETURNING id`,
          [kind, title, price],
        )
      ).rows[0] as { id: string }
    ).id;
  const experience = await offering('experience', 'Bench tour', 5000);
  const product = await offering('product', 'Bench kit', 2500);
  const policy = `'{"pickupTime":"10:00","returnTime":"10:00","timeZone":"Europe/Paris","deposit":30000,"cancellationFee":5000,"freeCancellationHours":48,"lateFeePerHour":1500,"refuelFeePerPercent":50,"kmAllowancePerDay":200,"feePerExtraKm":30}'::jsonb`;
  const rental = await offering('rental', 'Bench van', 8000, `, true, ${policy}`);
  await db.query(`CREATE TABLE bench_days (n int PRIMARY KEY, slot_id uuid NOT NULL, starts_at timestamptz NOT NULL)`);
  await db.query(
    `WITH s AS (
       INSERT INTO time_slots (offering_id, starts_at, ends_at, capacity, booked)
       SELECT $1, date_trunc('day', now()) - interval '365 days' + g * interval '1 day' + interval '10 hours',
              date_trunc('day', now()) - interval '365 days' + g * interval '1 day' + interval '12 hours', 1000000, 0
         FROM generate_series(0, 420) AS g
       RETURNING id, starts_at)
     INSERT INTO bench_days (n, slot_id, starts_at) SELECT row_number() OVER (ORDER BY starts_at) - 1, id, starts_at FROM s`,
    [experience],
  );
  await db.query(
    `INSERT INTO rental_units (offering_id, label, plate, model, seats, energy)
     SELECT $1, 'VAN-' || g, 'BN-' || lpad(g::text, 4, '0'), 'Bench Van', 9, 'fuel' FROM generate_series(1, $2) AS g`,
    [rental, UNITS],
  );
  // One row per booking: its shape, decided from g.
  await db.query(
    `CREATE TABLE bench_bookings AS
     SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS item_id,
            date_trunc('day', now()) - interval '365 days' + (g - 1) * (interval '365 days' / $1) AS created_at,
            CASE WHEN g % 10 < 7 THEN 'experience' WHEN g % 10 < 8 THEN 'product' ELSE 'rental' END AS kind,
            CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 25 = 0 THEN 'refunded' WHEN g % 16 = 0 THEN 'expired'
                 ELSE 'confirmed' END AS status,
            1 + g % 4 AS guests, 1 + g % 5 AS days, g % 7 = 0 AS discounted
       FROM generate_series(1, $1) AS g`,
    [bookings],
  );
  await db.query(`ALTER TABLE bench_bookings ADD COLUMN r int, ADD COLUMN unit_price int, ADD COLUMN units int`);
  await db.query(`UPDATE bench_bookings b SET r = x.r FROM (
                    SELECT g, row_number() OVER (ORDER BY g) AS r FROM bench_bookings WHERE kind = 'rental') x WHERE x.g = b.g`);
  await db.query(`UPDATE bench_bookings SET unit_price = CASE kind WHEN 'experience' THEN 5000 WHEN 'product' THEN 2500 ELSE 8000 END,
                    units = CASE kind WHEN 'experience' THEN guests WHEN 'product' THEN guests ELSE days END`);
  await db.query(`CREATE INDEX ON bench_bookings (g)`);

  const original = `(b.unit_price * b.units)`;
  const discount = `(CASE WHEN b.discounted THEN ${original} / 10 ELSE 0 END)`;
  await db.query(
    `INSERT INTO reservations (id, user_id, status, hold_expires_at, guest_name, guest_email, original_cents, discount_cents,
                               total_cents, currency, applied_discounts, reference, status_reason, created_at, updated_at)
     SELECT b.id, 'bench-user-' || (b.g % 5000), b.status, b.created_at + interval '15 minutes', 'Bench Guest', 'guest@example.com',
            ${original}, ${discount}, ${original} - ${discount}, 'EUR', '[]',
            CASE WHEN b.status <> 'expired' THEN 'B' || lpad(b.g::text, 11, '0') END,
            CASE b.status WHEN 'cancelled' THEN 'USER_CANCELLED' WHEN 'expired' THEN 'HOLD_EXPIRED' WHEN 'refunded' THEN 'ADMIN_REFUND' END,
            b.created_at, b.created_at + interval '1 day'
       FROM bench_bookings b`,
  );
  await db.query(
    `INSERT INTO reservation_items (id, reservation_id, offering_id, kind, time_slot_id, sku, start_date, end_date, quantity,
                                    unit_price_cents, original_cents, discount_cents, total_cents)
     SELECT b.item_id, b.id, CASE b.kind WHEN 'experience' THEN $1::uuid WHEN 'product' THEN $2::uuid ELSE $3::uuid END, b.kind,
            d.slot_id, CASE WHEN b.kind = 'product' THEN 'BENCH-KIT' END,
            CASE WHEN b.kind = 'rental' THEN (b.created_at + interval '7 days')::date END,
            CASE WHEN b.kind = 'rental' THEN (b.created_at + interval '7 days')::date + b.days END,
            CASE WHEN b.kind = 'rental' THEN 1 ELSE b.guests END, b.unit_price, ${original}, ${discount}, ${original} - ${discount}
       FROM bench_bookings b
       LEFT JOIN bench_days d ON b.kind = 'experience'
                             AND d.n = (extract(epoch FROM b.created_at - (date_trunc('day', now()) - interval '365 days')) / 86400)::int + b.g % 30`,
    [experience, product, rental],
  );
  // Unit r % 1000: one unit's bookings are ~6 days apart and last at most 5, so live periods never overlap.
  await db.query(
    `INSERT INTO allocations (reservation_id, reservation_item_id, resource_type, unit_id, period, quantity, state)
     SELECT b.id, b.item_id, 'unit', u.id,
            tstzrange((b.created_at + interval '7 days')::date::timestamptz, ((b.created_at + interval '7 days')::date + b.days)::timestamptz),
            1, CASE WHEN b.status = 'confirmed' THEN 'committed' ELSE 'released' END
       FROM bench_bookings b
       JOIN (SELECT id, row_number() OVER (ORDER BY label) - 1 AS n FROM rental_units WHERE offering_id = $1) u ON u.n = b.r % ${UNITS}
      WHERE b.kind = 'rental'`,
    [rental],
  );
  await db.query(
    `INSERT INTO payments (reservation_id, user_id, provider, provider_intent_id, status, amount_cents, currency, captured_cents,
                           refunded_cents, capture_method, created_at, updated_at)
     SELECT r.id, r.user_id, 'simulated', 'pi_bench_' || b.g, 'succeeded', r.total_cents, 'EUR', r.total_cents,
            CASE r.status WHEN 'refunded' THEN r.total_cents WHEN 'cancelled' THEN greatest(r.total_cents - 1000, 0) ELSE 0 END,
            'automatic', r.created_at + interval '5 minutes', r.created_at + interval '5 minutes'
       FROM bench_bookings b JOIN reservations r ON r.id = b.id WHERE b.status <> 'expired'`,
  );
  await db.query(
    `INSERT INTO refunds (payment_id, amount_cents, source, status, created_at, updated_at)
     SELECT p.id, p.refunded_cents, 'cancellation', 'succeeded', p.created_at + interval '1 day', p.created_at + interval '1 day'
       FROM payments p WHERE p.refunded_cents > 0`,
  );
  await db.query(
    `INSERT INTO outbox_events (type, reservation_id, user_id, occurred_at, published_at)
     SELECT e.type, b.id, 'bench-user-' || (b.g % 5000), b.created_at + e.after, now()
       FROM bench_bookings b
       CROSS JOIN LATERAL (VALUES ('held', interval '0'), ('pending', interval '2 minutes'),
                                  ('confirmed', interval '5 minutes'), (b.status, interval '1 day')) AS e(type, after)
      WHERE (b.status <> 'expired' OR e.type IN ('held', 'expired')) AND NOT (b.status = 'confirmed' AND e.after = interval '1 day')
        AND NOT (b.status = 'expired' AND e.type = 'expired' AND e.after = interval '0')`,
  );
  await db.query('ANALYZE');
  const [range] = (
    await db.query(`SELECT min(created_at) AS "from", max(created_at) + interval '1 millisecond' AS "to" FROM bench_bookings`)
  ).rows as { from: Date; to: Date }[];
  return {
    bookings,
    from: range.from,
    to: range.to,
    after: async (n: number) =>
      (
        (await db.query(`SELECT created_at FROM bench_bookings WHERE g = $1`, [n + 1])).rows[0] as
          { created_at: Date } | undefined
      )?.created_at ?? range.to,
  };
}
