import { createHash } from 'node:crypto';
import { FLEET_STATUSES, type FleetStatus } from '../inventory/inventory.types';
import type { FleetEvent } from './fleet.types';

/** The longest id, vehicle id, maintenance id or reason we keep (longer: malformed). */
const MAX_TEXT = 200;
/** The longest maintenance block we accept (a year): anything longer is a mistake upstream. */
const MAX_BLOCK_MS = 366 * 24 * 3600 * 1000;

/** A parsed event, or why it is malformed (with the id to record it under). */
export type ParsedFleetEvent = { ok: true; event: FleetEvent } | { ok: false; id: string; reason: string; type: string | null };

/** A usable text field: not blank, not too long, no NUL (PostgreSQL text cannot hold one). */
const isText = (v: unknown): v is string =>
  typeof v === 'string' && v.trim() !== '' && v.length <= MAX_TEXT && !v.includes('\u0000');

function instant(v: unknown): Date | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Checks an event's shape (DESIGN.md section 12): `{id, type, occurredAt, vehicleId, ...}`,
 * `VehicleStatusChanged` with a fleet `status`, `MaintenanceScheduled` with `maintenanceId`,
 * `from` < `to` (ISO instants), `reason`, `cancelled?`. A malformed event without a usable
 * id is recorded under `malformed:<sha256 of its bytes>`, so a redelivery is still one row.
 */
export function parseFleetEvent(body: unknown, raw: Buffer | string): ParsedFleetEvent {
  const fallbackId = `malformed:${createHash('sha256').update(raw).digest('hex')}`;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, id: fallbackId, reason: 'the event is not a JSON object', type: null };
  }
  const e = body as Record<string, unknown>;
  const id = isText(e.id) ? e.id : null;
  const type = isText(e.type) ? e.type : null;
  const bad = (reason: string): ParsedFleetEvent => ({ ok: false, id: id ?? fallbackId, reason, type });
  if (!id) return bad('id must be a non-empty string');
  if (!type) return bad('type must be a non-empty string');
  const occurredAt = instant(e.occurredAt);
  if (!occurredAt) return bad('occurredAt must be an ISO 8601 instant');
  if (!isText(e.vehicleId)) return bad('vehicleId must be a non-empty string');
  const base = { id, occurredAt, vehicleId: e.vehicleId };
  if (type === 'VehicleStatusChanged') {
    if (!FLEET_STATUSES.includes(e.status as FleetStatus)) return bad(`status must be one of ${FLEET_STATUSES.join(', ')}`);
    return { ok: true, event: { ...base, type, status: e.status as FleetStatus } };
  }
  if (type === 'MaintenanceScheduled') {
    if (!isText(e.maintenanceId)) return bad('maintenanceId must be a non-empty string');
    const cancelled = e.cancelled === true;
    if (e.cancelled !== undefined && typeof e.cancelled !== 'boolean') return bad('cancelled must be a boolean');
    const from = instant(e.from);
    const to = instant(e.to);
    if (!cancelled || e.from !== undefined || e.to !== undefined) {
      if (!from || !to) return bad('from and to must be ISO 8601 instants');
      if (to <= from) return bad('to must be after from');
      if (to.getTime() - from.getTime() > MAX_BLOCK_MS) return bad('a maintenance block may last at most a year');
    }
    const reasonOk = typeof e.reason === 'string' && e.reason.length <= MAX_TEXT && !e.reason.includes('\u0000');
    if (e.reason !== undefined && e.reason !== null && !reasonOk) {
      return bad(`reason must be a string of at most ${MAX_TEXT} characters`);
    }
    return {
      ok: true,
      event: {
        ...base,
        type,
        maintenanceId: e.maintenanceId,
        from: from ?? occurredAt,
        to: to ?? occurredAt,
        reason: typeof e.reason === 'string' ? e.reason : null,
        cancelled,
      },
    };
  }
  return bad(`unknown event type ${type}`);
}
