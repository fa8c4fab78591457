/**
 * What the benches check after a load: that the app has gone quiet, the inventory
 * invariants over every slot, and that the writes match the answers the load generator saw.
 */
import type pg from 'pg';
import { note, sleep } from './common';
import type { LoadResult } from './hold-load';

/**
 * Waits until the app has finished what the load generator left behind: no other session
 * of this database is running a statement or sits in a transaction, and the number of
 * reservations has not moved for 500 ms. (Idle sessions alone do not prove it: a hold is
 * one statement, so between two of them every session can be idle while requests still
 * wait in the app for a connection.)
 */
export async function waitForQuiet(db: pg.Client, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    const count = await countReservations(db);
    if ((rows[0] as { busy: number }).busy === 0 && count === last) return;
    last = count;
    await sleep(500);
  }
  note('the database did not go quiet within 15 s; checking anyway');
}

export interface InvariantReport {
  ok: boolean;
  problems: string[];
}

/**
 * The inventory invariants, over every slot: 0 <= held, booked; held + booked <= capacity
 * (no oversell); held and booked equal the sums of the slot's held and committed
 * allocations; as every bench slot hold is one guest, the places held add up to the held
 * slot reservations; every held reservation has its item and a held allocation (an
 * expired or cancelled one has given its allocations back); and no two live
 * allocations overlap on a rental unit.
 */
export async function checkInvariants(db: pg.Client): Promise<InvariantReport> {
  const problems: string[] = [];
  const { rows: counters } = await db.query(
    `SELECT count(*) FILTER (WHERE t.held < 0 OR t.booked < 0)::int AS negative,
            count(*) FILTER (WHERE t.held + t.booked > t.capacity)::int AS oversold,
            count(*) FILTER (WHERE t.held <> COALESCE(l.held, 0) OR t.booked <> COALESCE(l.booked, 0))::int AS ledger_mismatch,
            COALESCE(sum(t.held), 0)::bigint AS held_places
       FROM time_slots t
       LEFT JOIN (SELECT time_slot_id,
                         sum(quantity) FILTER (WHERE state = 'held') AS held,
                         sum(quantity) FILTER (WHERE state = 'committed') AS booked
                    FROM allocations WHERE time_slot_id IS NOT NULL GROUP BY time_slot_id) l ON l.time_slot_id = t.id`,
  );
  const c = counters[0] as { negative: number; oversold: number; ledger_mismatch: number; held_places: string };
  if (c.oversold > 0) problems.push(`${c.oversold} slot(s) oversold (held + booked > capacity)`);
  if (c.negative > 0) problems.push(`${c.negative} slot(s) with a negative counter`);
  if (c.ledger_mismatch > 0) problems.push(`${c.ledger_mismatch} slot(s) whose counters differ from their allocations`);

  const { rows: res } = await db.query(
    `SELECT (SELECT count(*) FROM reservations r WHERE status = 'held'
               AND EXISTS (SELECT 1 FROM reservation_items i WHERE i.reservation_id = r.id AND i.time_slot_id IS NOT NULL)
            )::bigint AS held_reservations,
            (SELECT count(*) FROM allocations a JOIN allocations b
                ON a.unit_id = b.unit_id AND a.id < b.id AND a.period && b.period
              WHERE a.state <> 'released' AND b.state <> 'released')::int AS unit_overlaps,
            (SELECT count(*) FROM reservations r
              WHERE r.status = 'held'
                AND (NOT EXISTS (SELECT 1 FROM reservation_items i WHERE i.reservation_id = r.id)
                     OR NOT EXISTS (SELECT 1 FROM allocations a WHERE a.reservation_id = r.id AND a.state = 'held')))::int AS incomplete`,
  );
  const r = res[0] as { held_reservations: string; unit_overlaps: number; incomplete: number };
  if (r.unit_overlaps > 0) problems.push(`${r.unit_overlaps} pair(s) of live allocations overlapping on one rental unit`);
  if (r.held_reservations !== c.held_places) {
    problems.push(`${c.held_places} places held but ${r.held_reservations} held reservations (one guest each)`);
  }
  if (r.incomplete > 0) problems.push(`${r.incomplete} held reservation(s) without their item or held allocation`);
  return { ok: problems.length === 0, problems };
}

export async function countReservations(db: pg.Client): Promise<number> {
  return Number(((await db.query('SELECT count(*) AS n FROM reservations')).rows[0] as { n: string }).n);
}

/**
 * What the phase wrote, against what the load generator saw: every 200 has its
 * reservation (found through its idempotency key, written in the same transaction),
 * no refused request has one, and the only reservations without a 200 are requests
 * still in flight when the load stopped (committed, but the load generator had hung up).
 */
export async function checkPhaseWrites(db: pg.Client, load: LoadResult, keyPrefix: string, reservationsBefore: number) {
  const problems: string[] = [];
  const { rows } = await db.query(`SELECT key FROM idempotency_keys WHERE key LIKE $1`, [`${keyPrefix}-%`]);
  const stored = new Set(rows.map((r: { key: string }) => r.key));
  const created = (await countReservations(db)) - reservationsBefore;
  const missing = [...load.okKeys].filter((k) => !stored.has(k)).length;
  const unexpected = [...load.failedKeys].filter((k) => stored.has(k)).length;
  const inFlight = [...stored].filter((k) => load.unansweredKeys.has(k)).length;
  const unknown = stored.size - [...stored].filter((k) => load.okKeys.has(k) || load.unansweredKeys.has(k)).length;
  if (created !== stored.size) problems.push(`${created} reservations created but ${stored.size} idempotency keys stored`);
  if (missing > 0) problems.push(`${missing} 200 response(s) without their reservation`);
  if (unexpected > 0) problems.push(`${unexpected} refused request(s) that created a reservation`);
  if (unknown > 0) problems.push(`${unknown} reservation(s) for keys that were never answered nor in flight`);
  if (created !== load.ok + inFlight) problems.push(`${created} reservations created != ${load.ok} 200s + ${inFlight} in flight`);
  return { created, inFlight, problems };
}
