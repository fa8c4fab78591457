import { SqlParams } from '@holdfast/database';
import { keyInStatement, type StatementKey } from '@holdfast/idempotency';
import { offeringUnchangedSql } from '../catalog/catalog.service';
import type { Offering } from '../catalog/catalog.types';
import { type ItemPrice, sumPrices } from '../catalog/pricing';
import { nextEventPosition } from '../events/events.service';
import { slotTakeCtes } from '../inventory/inventory.service';
import type { AllocationRequest } from '../inventory/inventory.types';
import type { HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { EVENT_RETURNING, reservationEvents } from './reservation-events';

/** A hold line, resolved against the catalog and inventory and priced. */
export interface Line {
  itemId: string;
  offering: Offering;
  request: AllocationRequest;
  timeSlotId: string | null;
  sku: string | null;
  startDate: string | null;
  endDate: string | null;
  quantity: number;
  price: ItemPrice;
  /** When the slot starts, as priced; null for other lines, and for a slot line whose price does not depend on it. */
  slotStartsAt: Date | null;
}

/** A hold about to be written: its rows and the response that announces it. */
export interface NewHold {
  id: string;
  userId: string;
  dto: HoldRequestDto;
  lines: Line[];
  total: ReturnType<typeof sumPrices>;
  currency: string;
  holdExpiresAt: Date;
  response: HoldResponseDto;
}

/**
 * A new hold's rows and the response that announces it, for `lines` (all in one
 * currency), expiring at `holdExpiresAt`; the response rounds `holdTtlSeconds` up to
 * whole minutes.
 */
export function newHold(hold: {
  id: string;
  userId: string;
  dto: HoldRequestDto;
  lines: Line[];
  holdExpiresAt: Date;
  holdTtlSeconds: number;
}): NewHold {
  const { id, userId, dto, lines, holdExpiresAt } = hold;
  const total = sumPrices(lines.map((line) => line.price));
  const currency = lines[0].offering.currency;
  return {
    id,
    userId,
    dto,
    lines,
    total,
    currency,
    holdExpiresAt,
    response: {
      reservation: {
        id,
        status: 'held',
        holdExpiresAt: holdExpiresAt.toISOString(),
        totalPrice: total.totalCents,
        originalPrice: total.originalCents,
        discountApplied: total.discountCents,
        currency,
        paymentStatus: 'none',
      },
      appliedDiscounts: total.appliedDiscounts,
      holdDurationMinutes: Math.ceil(hold.holdTtlSeconds / 60),
    },
  };
}

/** A one-slot hold to make in one statement, with everything the statement writes. */
export interface OneSlotHold {
  /** The hold, of exactly one time-slot line. */
  hold: NewHold;
  /** The request's idempotency key; its stored response is `hold.response`. */
  key: StatementKey;
  /** When the stored key expires (`IdempotencyService.expiry()`). */
  keyExpiresAt: Date;
  /** The id of the slot's ledger row (allocation). */
  allocationId: string;
}

/** A statement's text and its parameters ($1 is `values[0]`). */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The one-slot hold as ONE statement (docs/inventory.md "One slot, one statement"),
 * composed from the fragments each module owns, numbered by one `SqlParams`:
 *
 * - idempotency (`keyInStatement`): `idem_lock` takes the key's lock without waiting;
 *   `idem_key` stores the completed response;
 * - inventory (`slotTakeCtes`): `inv_taken`, the guarded update of the slot's counter,
 *   gated on the key's lock and on catalog's condition (`offeringUnchangedSql`: the
 *   offering is still on sale at the price the hold was priced with), and
 *   `inv_allocation`, its ledger row;
 * - reservations (`reservationInsertCtes`): `res` and `res_items`, gated on `inv_taken`,
 *   and `res_event`, the `held` event in the outbox (events' `outboxInsertCte`).
 *
 * It answers `taken`. Pure: the text depends only on whether the price depends on the
 * slot's start (`slotStartsAt`), never on the values, so it is prepared once. The same
 * function gives the text to the app (ReservationsService), the benchmark's pgbench
 * script (bench/support/pgbench.ts) and docs/inventory.md (`npm run docs:hold-sql`);
 * hold-statement.spec.ts pins the text down.
 */
export function oneSlotHoldStatement({ hold, key, keyExpiresAt, allocationId }: OneSlotHold): Statement {
  const [line] = hold.lines;
  if (hold.lines.length !== 1 || line.timeSlotId === null) throw new Error('a one-statement hold has exactly one time-slot line');
  const p = new SqlParams();
  const idem = keyInStatement(p, key, hold.response, 'inv_taken', keyExpiresAt);
  const take = slotTakeCtes(p, {
    slotId: line.timeSlotId,
    quantity: line.quantity,
    reservationId: hold.id,
    itemId: line.itemId,
    allocationId,
    startsAt: line.slotStartsAt ?? undefined,
    offeringId: line.offering.id,
    guards: [idem.locked, offeringUnchangedSql(p, line.offering)],
  });
  const insert = reservationInsertCtes(p, hold, 'inv_taken');
  const text = [
    `WITH ${idem.lockCte},`,
    `    ${take},`,
    `    ${insert},`,
    `    ${idem.storeCte}`,
    `SELECT EXISTS (SELECT 1 FROM res_items) AS taken`,
  ].join('\n');
  return { text, values: p.values };
}

/**
 * The CTEs that insert a hold's reservation (`res`), its items (`res_items`) and its
 * `held` event (`res_event`); with a `gate` CTE, only if that CTE has a row (the places
 * were taken in the same statement).
 */
export function reservationInsertCtes(p: SqlParams, hold: NewHold, gate: string | null): string {
  const { dto, lines, total } = hold;
  const id = p.add(hold.id, 'uuid');
  const reservation = [
    id,
    p.add(hold.userId),
    `'held'`,
    p.add(hold.holdExpiresAt, 'timestamptz'),
    p.add(dto.guestName),
    p.add(dto.guestEmail),
    p.add(dto.guestPhone ?? null, 'text'),
    p.add(dto.specialRequests ?? null, 'text'),
    p.add(total.originalCents, 'int'),
    p.add(total.discountCents, 'int'),
    p.add(total.totalCents, 'int'),
    p.add(hold.currency, 'bpchar'),
    p.add(JSON.stringify(total.appliedDiscounts), 'jsonb'),
    nextEventPosition(null),
  ];
  const column = (type: string, pick: (line: Line) => unknown): string => p.add(lines.map(pick), `${type}[]`);
  const items = [
    column('uuid', (l) => l.itemId),
    column('uuid', (l) => l.offering.id),
    column('text', (l) => l.offering.kind),
    column('uuid', (l) => l.timeSlotId),
    column('text', (l) => l.sku),
    column('date', (l) => l.startDate),
    column('date', (l) => l.endDate),
    column('int', (l) => l.quantity),
    column('int', (l) => l.price.unitPriceCents),
    column('int', (l) => l.price.originalCents),
    column('int', (l) => l.price.discountCents),
    column('int', (l) => l.price.totalCents),
  ];
  return `res AS (
      INSERT INTO reservations (id, user_id, status, hold_expires_at, guest_name, guest_email, guest_phone, special_requests,
                                original_cents, discount_cents, total_cents, currency, applied_discounts, event_position)
      SELECT ${reservation.join(', ')}
      ${gate ? `WHERE EXISTS (SELECT 1 FROM ${gate})` : ''}
      RETURNING ${EVENT_RETURNING}),
    res_items AS (
      INSERT INTO reservation_items (id, reservation_id, offering_id, kind, time_slot_id, sku, start_date, end_date, quantity,
                                     unit_price_cents, original_cents, discount_cents, total_cents)
      SELECT t.id, res.id, t.offering_id, t.kind, t.time_slot_id, t.sku, t.start_date, t.end_date, t.quantity,
             t.unit_price, t.original, t.discount, t.total
        FROM res, unnest(${items.join(', ')})
          AS t(id, offering_id, kind, time_slot_id, sku, start_date, end_date, quantity, unit_price, original, discount, total)
      RETURNING 1),
    ${reservationEvents('res_event', 'res')}`;
}
