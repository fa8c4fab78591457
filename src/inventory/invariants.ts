import type { EntityManager } from 'typeorm';

/** One broken rule: which (`slot.within_capacity`), where (`time_slot:<id>`), and the numbers. */
export interface InvariantViolation {
  invariant: string;
  resource: string;
  detail: string;
}

interface CounterRow {
  id: string;
  label: string | null;
  limit: number;
  held: number;
  done: number;
  ledger_held: number;
  ledger_done: number;
}

interface OverlapRow {
  unit_id: string;
  first_id: string;
  first_period: string;
  second_id: string;
  second_period: string;
}

/**
 * One set-based pass over a counter table against the ledger. A single statement, so
 * counters and allocations are read from one snapshot even outside a transaction.
 */
function counterSql(table: 'time_slots' | 'stock_items'): string {
  const [fk, limit, done, label] =
    table === 'time_slots' ? ['time_slot_id', 'capacity', 'booked', 'NULL'] : ['stock_item_id', 'on_hand', 'sold', 'c.sku'];
  return `
    SELECT c.id, ${label} AS label, c.${limit} AS "limit", c.held, c.${done} AS done,
           COALESCE(l.held, 0)::int AS ledger_held, COALESCE(l.done, 0)::int AS ledger_done
      FROM ${table} c
      LEFT JOIN (
        SELECT ${fk} AS id,
               sum(quantity) FILTER (WHERE state = 'held') AS held,
               sum(quantity) FILTER (WHERE state = 'committed') AS done
          FROM allocations
         WHERE ${fk} IS NOT NULL AND state <> 'released'
         GROUP BY ${fk}
      ) l ON l.id = c.id
     WHERE c.held < 0 OR c.${done} < 0 OR c.held + c.${done} > c.${limit}
        OR c.held <> COALESCE(l.held, 0) OR c.${done} <> COALESCE(l.done, 0)
     ORDER BY c.id`;
}

function counterViolations(
  rows: CounterRow[],
  names: { prefix: 'slot' | 'stock'; resource: string; limit: string; done: string; doneState: string },
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  for (const r of rows) {
    const resource = `${names.resource}:${r.id}${r.label ? ` (${r.label})` : ''}`;
    const add = (rule: string, detail: string) => out.push({ invariant: `${names.prefix}.${rule}`, resource, detail });
    if (r.held < 0 || r.done < 0) add('counters_non_negative', `held is ${r.held} and ${names.done} is ${r.done}`);
    if (r.held + r.done > r.limit) {
      add('within_capacity', `held ${r.held} + ${names.done} ${r.done} = ${r.held + r.done} exceeds ${names.limit} ${r.limit}`);
    }
    if (r.held !== r.ledger_held)
      add('held_matches_ledger', `held is ${r.held} but its held allocations add up to ${r.ledger_held}`);
    if (r.done !== r.ledger_done) {
      add(
        `${names.done}_matches_ledger`,
        `${names.done} is ${r.done} but its ${names.doneState} allocations add up to ${r.ledger_done}`,
      );
    }
  }
  return out;
}

/**
 * Checks DESIGN.md section 9, invariants 1 and 2, over the whole inventory:
 *
 * 1. per time slot and per SKU, `0 <= held`, `0 <= booked|sold`, `held + booked|sold <=
 *    capacity|on_hand`, and the counters equal the sums of the live allocations
 *    (`held` = held ones, `booked|sold` = committed ones);
 * 2. no rental unit has two live allocations whose periods overlap.
 *
 * The CHECK and EXCLUDE constraints already make most of these impossible to write;
 * this is the independent audit (tests, `npm run invariants`, `GET /v1/admin/invariants`)
 * that would catch a constraint dropped by a migration or counters drifting from the
 * ledger. Read-only. For one consistent picture across the three checks, run it in a
 * REPEATABLE READ transaction (InvariantsService and the CLI do).
 *
 * @returns every violation found; empty when inventory is consistent
 */
export async function checkInventoryInvariants(manager: EntityManager): Promise<InvariantViolation[]> {
  const slots = (await manager.query(counterSql('time_slots'))) as CounterRow[];
  const stock = (await manager.query(counterSql('stock_items'))) as CounterRow[];
  // Live allocations of one unit whose periods overlap; a.id < b.id lists each pair once.
  // Two maintenance blocks (the fleet's, no customer's) may overlap; nothing else may.
  const overlaps = (await manager.query(
    `SELECT a.unit_id, a.id AS first_id, a.period::text AS first_period, b.id AS second_id, b.period::text AS second_period
       FROM allocations a
       JOIN allocations b ON b.unit_id = a.unit_id AND a.id < b.id AND a.period && b.period
      WHERE a.resource_type = 'unit' AND b.resource_type = 'unit' AND a.state <> 'released' AND b.state <> 'released'
        AND NOT (a.purpose = 'maintenance' AND b.purpose = 'maintenance')
      ORDER BY a.unit_id, a.id, b.id`,
  )) as OverlapRow[];

  return [
    ...counterViolations(slots, {
      prefix: 'slot',
      resource: 'time_slot',
      limit: 'capacity',
      done: 'booked',
      doneState: 'committed',
    }),
    ...counterViolations(stock, {
      prefix: 'stock',
      resource: 'stock_item',
      limit: 'on_hand',
      done: 'sold',
      doneState: 'committed',
    }),
    ...overlaps.map((o): InvariantViolation => ({
      invariant: 'unit.no_overlapping_allocations',
      resource: `rental_unit:${o.unit_id}`,
      detail: `live allocations ${o.first_id} ${o.first_period} and ${o.second_id} ${o.second_period} overlap`,
    })),
  ];
}
