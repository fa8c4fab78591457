import { FLEET_STATUSES, type FleetStatus } from '../inventory/inventory.types';
import { FleetApi, FleetApiError, type FleetApiMaintenance, type FleetApiVehicle } from './fleet-api.port';

/** The most of an answer we read (a fleet of a few thousand vehicles). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const text = (v: unknown, max = 200): v is string => typeof v === 'string' && v !== '' && v.length <= max;
const iso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v);

/**
 * The fleet API over HTTP (docs/fleet.md):
 *
 *     GET {FLEET_API_URL}/vehicles
 *     X-Api-Key: {FLEET_API_KEY}            (when set)
 *     200 {"vehicles": [{"vehicleId", "status", "statusChangedAt",
 *                        "maintenance": [{"maintenanceId", "from", "to", "reason", "cancelled", "updatedAt"}]}]}
 *
 * A vehicle or maintenance entry that does not parse is skipped (the rest still repairs);
 * a body that is not that object, a non-200 status or a network error is FleetApiError.
 * The timeout is the caller's (`signal`, the integration policy's).
 */
export class FleetHttpClient extends FleetApi {
  readonly name = 'http' as const;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | null,
  ) {
    super();
    this.url = new URL('vehicles', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  async vehicles(signal?: AbortSignal): Promise<FleetApiVehicle[]> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        headers: { Accept: 'application/json', ...(this.apiKey ? { 'X-Api-Key': this.apiKey } : {}) },
        redirect: 'error',
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new FleetApiError('the fleet API is unreachable');
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new FleetApiError(`the fleet API answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) throw new FleetApiError('the fleet API answer is too large');
    let body: unknown;
    try {
      const raw = await response.text();
      if (raw.length > MAX_BODY_BYTES) throw new FleetApiError('the fleet API answer is too large');
      body = JSON.parse(raw);
    } catch (error) {
      if (error instanceof FleetApiError || signal?.aborted) throw error;
      throw new FleetApiError('the fleet API answered malformed JSON');
    }
    const list = (body as { vehicles?: unknown } | null)?.vehicles;
    if (!Array.isArray(list)) throw new FleetApiError('the fleet API answered no vehicles list');
    return list.flatMap((v) => {
      const vehicle = vehicleOf(v);
      return vehicle ? [vehicle] : [];
    });
  }
}

/** A listed vehicle, or null when it does not parse. */
export function vehicleOf(v: unknown): FleetApiVehicle | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (!text(o.vehicleId) || !FLEET_STATUSES.includes(o.status as FleetStatus) || !iso(o.statusChangedAt)) return null;
  const maintenance = Array.isArray(o.maintenance) ? o.maintenance.flatMap((m) => maintenanceOf(m) ?? []) : [];
  return { vehicleId: o.vehicleId, status: o.status as FleetStatus, statusChangedAt: o.statusChangedAt, maintenance };
}

function maintenanceOf(m: unknown): FleetApiMaintenance | null {
  if (m === null || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  if (!text(o.maintenanceId) || !iso(o.from) || !iso(o.to) || !iso(o.updatedAt)) return null;
  return {
    maintenanceId: o.maintenanceId,
    from: o.from,
    to: o.to,
    reason: typeof o.reason === 'string' ? o.reason : null,
    cancelled: o.cancelled === true,
    updatedAt: o.updatedAt,
  };
}
