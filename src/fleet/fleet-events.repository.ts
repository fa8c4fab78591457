import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { FleetEventSourceName, RecordedFleetOutcome } from './fleet.types';

/** A received event's row. */
export interface FleetEventRecord {
  id: string;
  source: FleetEventSourceName;
  type: string | null;
  vehicleId: string | null;
  occurredAt: Date | null;
  outcome: RecordedFleetOutcome;
  detail: string | null;
}

/** A recorded event as the admin list shows it. */
export interface ListedFleetEvent extends FleetEventRecord {
  receivedAt: Date;
  payload: unknown;
}

/**
 * The received fleet events (once per id, with their outcome) and the watermarks that keep
 * an older event from overriding a newer one. Every method runs on the caller's transaction.
 */
@Injectable()
export class FleetEventsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Records an event under its id; false when that id was recorded before (a duplicate:
   * nothing to do). A concurrent delivery of the same id waits on this row's insert and
   * then finds it, so an event is applied by one transaction only.
   */
  async record(row: FleetEventRecord, payload: unknown): Promise<boolean> {
    const inserted = await this.txHost.rows(
      `INSERT INTO fleet_events (id, source, type, vehicle_id, occurred_at, outcome, detail, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [row.id, row.source, row.type, row.vehicleId, row.occurredAt, row.outcome, row.detail, JSON.stringify(payload ?? null)],
    );
    return inserted.length === 1;
  }

  async setOutcome(id: string, outcome: FleetEventRecord['outcome'], detail: string | null): Promise<void> {
    await this.txHost.rows(`UPDATE fleet_events SET outcome = $2, detail = $3 WHERE id = $1`, [id, outcome, detail]);
  }

  /**
   * Moves the watermark of `key` (a vehicle's status, a maintenance id) to `occurredAt`
   * if that is later than the one applied so far (or there is none); false when it is
   * not (the event is stale). The row lock orders two events about the same thing.
   */
  async advance(key: string, occurredAt: Date, eventId: string): Promise<boolean> {
    const rows = await this.txHost.rows(
      `INSERT INTO fleet_watermarks AS w (key, occurred_at, event_id) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id
        WHERE w.occurred_at < EXCLUDED.occurred_at
       RETURNING key`,
      [key, occurredAt, eventId],
    );
    return rows.length === 1;
  }

  /** The watermark of `key`, or null. */
  async watermark(key: string): Promise<Date | null> {
    const [row] = await this.txHost.rows<{ occurredAt: Date }>(
      `SELECT occurred_at AS "occurredAt" FROM fleet_watermarks WHERE key = $1`,
      [key],
    );
    return row?.occurredAt ?? null;
  }

  /** One event's row, or null. */
  async find(id: string): Promise<FleetEventRecord | null> {
    const [row] = await this.txHost.rows<FleetEventRecord>(
      `SELECT id, source, type, vehicle_id AS "vehicleId", occurred_at AS "occurredAt", outcome, detail
         FROM fleet_events WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** The recorded events matching the filter, newest first, a page of them, and how many match in all. */
  async list(filter: {
    outcome?: RecordedFleetOutcome;
    source?: FleetEventSourceName;
    vehicleId?: string;
    limit: number;
    offset: number;
  }): Promise<{ events: ListedFleetEvent[]; total: number }> {
    const params = [filter.outcome ?? null, filter.source ?? null, filter.vehicleId ?? null];
    const where = `($1::text IS NULL OR outcome = $1) AND ($2::text IS NULL OR source = $2) AND ($3::text IS NULL OR vehicle_id = $3)`;
    const events = await this.txHost.rows<ListedFleetEvent>(
      `SELECT id, source, type, vehicle_id AS "vehicleId", occurred_at AS "occurredAt", received_at AS "receivedAt",
              outcome, detail, payload
         FROM fleet_events WHERE ${where} ORDER BY received_at DESC, id DESC LIMIT $4 OFFSET $5`,
      [...params, filter.limit, filter.offset],
    );
    const [{ total }] = await this.txHost.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM fleet_events WHERE ${where}`,
      params,
    );
    return { events, total };
  }
}
