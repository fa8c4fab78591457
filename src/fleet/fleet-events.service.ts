import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { InventoryAdminService } from '../inventory/inventory-admin.service';
import { UnitMaintenanceService } from '../inventory/unit-maintenance.service';
import { parseFleetEvent } from './fleet-event.parser';
import { FleetEventsRepository } from './fleet-events.repository';
import { FleetMetrics } from './fleet-metrics';
import type { FleetEvent, FleetEventResult, FleetEventSourceName } from './fleet.types';
import { MaintenanceApplier } from './maintenance-applier';

/** The actor fleet changes are audited as. */
export const FLEET_ACTOR = 'system:fleet';

/** The longest malformed body kept in the record, in characters. */
const MAX_KEPT_BODY = 2000;

/**
 * THE handler of fleet events (DESIGN.md section 12), behind every source: the signed HTTP
 * route, the NATS consumer and the reconciliation's synthesised events. Each event runs in
 * ONE transaction: recorded by id (a duplicate does nothing), checked against the
 * watermark of what it is about (a vehicle's status, a maintenance id: an event older
 * than the last applied one is `stale`), then applied. Malformed events and unknown
 * vehicles are recorded and acknowledged: retrying cannot fix them. Only a failure (the
 * database down) throws, and nothing of the event is kept, so the source retries it.
 */
@Injectable()
export class FleetEventsService {
  private readonly logger = new Logger(FleetEventsService.name);

  constructor(
    private readonly txHost: TransactionHost,
    private readonly repo: FleetEventsRepository,
    private readonly units: UnitMaintenanceService,
    private readonly inventoryAdmin: InventoryAdminService,
    private readonly maintenance: MaintenanceApplier,
    private readonly metrics: FleetMetrics,
  ) {}

  /** Handles one event as received (its raw bytes). @throws on a failure that a retry may fix */
  async handle(raw: Buffer | string, source: FleetEventSourceName): Promise<FleetEventResult> {
    const parsed = parseFleetEvent(safeJson(raw), raw);
    const result = await this.txHost.run(async (): Promise<FleetEventResult> => {
      if (!parsed.ok) {
        const fresh = await this.repo.record(
          {
            id: parsed.id,
            source,
            type: parsed.type,
            vehicleId: null,
            occurredAt: null,
            outcome: 'malformed',
            detail: parsed.reason,
          },
          keptText(raw),
        );
        return { eventId: parsed.id, outcome: fresh ? 'malformed' : 'duplicate', detail: parsed.reason };
      }
      return this.apply(parsed.event, source);
    });
    this.metrics.received(source, result.outcome);
    if (result.outcome === 'malformed' || result.outcome === 'unknown_vehicle') {
      this.logger.warn(
        { eventId: result.eventId, source, outcome: result.outcome, detail: result.detail },
        'fleet event not applied',
      );
    }
    return result;
  }

  /** The recorded events, newest first, for `GET /v1/admin/fleet/events`. */
  list(filter: Parameters<FleetEventsRepository['list']>[0]): ReturnType<FleetEventsRepository['list']> {
    return this.repo.list(filter);
  }

  /** Records a failure that will not be retried any more (NATS gave up redelivering it). */
  async recordGivenUp(raw: Buffer, source: FleetEventSourceName, error: string): Promise<void> {
    const parsed = parseFleetEvent(safeJson(raw), raw);
    const id = parsed.ok ? parsed.event.id : parsed.id;
    const fresh = await this.repo.record(
      {
        id,
        source,
        type: parsed.ok ? parsed.event.type : parsed.type,
        vehicleId: null,
        occurredAt: null,
        outcome: 'failed',
        detail: error,
      },
      keptText(raw),
    );
    if (fresh) this.metrics.received(source, 'failed');
  }

  /** Applies a well-formed event; its record keeps the event's own fields only (never extra ones a sender added). */
  private async apply(event: FleetEvent, source: FleetEventSourceName): Promise<FleetEventResult> {
    const record = { id: event.id, source, type: event.type, vehicleId: event.vehicleId, occurredAt: event.occurredAt };
    if (!(await this.repo.record({ ...record, outcome: 'applied', detail: null }, event))) {
      return { eventId: event.id, outcome: 'duplicate' };
    }
    const unit = await this.units.unitByFleetId(event.vehicleId);
    if (!unit) {
      const detail = `no unit has fleet vehicle id ${event.vehicleId}`;
      await this.repo.setOutcome(event.id, 'unknown_vehicle', detail);
      return { eventId: event.id, outcome: 'unknown_vehicle', detail };
    }
    const key = event.type === 'VehicleStatusChanged' ? `status:${event.vehicleId}` : `maintenance:${event.maintenanceId}`;
    if (!(await this.repo.advance(key, event.occurredAt, event.id))) {
      const detail = `a later event about ${key} was applied already`;
      await this.repo.setOutcome(event.id, 'stale', detail);
      return { eventId: event.id, outcome: 'stale', detail };
    }
    if (event.type === 'VehicleStatusChanged') {
      await this.inventoryAdmin.setFleetStatus(unit.id, event.status, FLEET_ACTOR);
      await this.repo.setOutcome(event.id, 'applied', `fleet status ${event.status}`);
    } else {
      await this.repo.setOutcome(event.id, 'applied', await this.maintenance.apply(unit, event));
    }
    return { eventId: event.id, outcome: 'applied' };
  }
}

function safeJson(raw: Buffer | string): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * What a record keeps of an event it could not read: its bytes as text, cut short and
 * without NULs. Never the parsed body, whose depth or NUL characters jsonb may refuse (a
 * refused insert would fail the event, and it would be retried forever).
 */
function keptText(raw: Buffer | string): { raw: string } {
  return { raw: String(raw).slice(0, MAX_KEPT_BODY).replaceAll('\u0000', '\ufffd') };
}
