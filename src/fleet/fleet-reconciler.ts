import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { RecurringPass } from '@holdfast/database';
import type { IntegrationPolicy } from '@holdfast/resilience';
import { UnitMaintenanceService } from '../inventory/unit-maintenance.service';
import { FleetApi, type FleetApiVehicle } from './fleet-api.port';
import { FleetConfig } from './fleet.config';
import { FleetEventsService } from './fleet-events.service';
import { FleetMetrics } from './fleet-metrics';
import type { FleetEventOutcome } from './fleet.types';

/** The integration policy of the fleet API (its DI token). */
export const FLEET_API_POLICY = Symbol('FLEET_API_POLICY');

/** What a reconciliation did: how many synthesised events had each outcome. */
export type ReconcileSummary = Partial<Record<FleetEventOutcome, number>>;

/**
 * Repairs missed fleet events (DESIGN.md section 12): pulls `GET {FLEET_API_URL}/vehicles`
 * at start-up and every FLEET_RECONCILE_MINUTES, and feeds what it says through THE
 * handler as synthesised events, so the same rules hold (applied once by id, never over a
 * newer event): each vehicle's status as of `statusChangedAt`, each listed maintenance as
 * of its `updatedAt`, and a cancellation (as of now) for each live block of a listed
 * vehicle that the fleet no longer lists and that has not ended. Vehicles the fleet does
 * not list are left alone. Every replica runs it; the handler makes that harmless.
 */
@Injectable()
export class FleetReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FleetReconciler.name);
  private readonly recurring = new RecurringPass(this.scheduler, 'fleet-reconcile', this.logger);

  constructor(
    private readonly api: FleetApi,
    @Inject(FLEET_API_POLICY) private readonly policy: IntegrationPolicy,
    private readonly events: FleetEventsService,
    private readonly units: UnitMaintenanceService,
    private readonly config: FleetConfig,
    private readonly metrics: FleetMetrics,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.apiMode === 'off') return;
    // At start-up, in the background (the app serves meanwhile); then every N minutes.
    void this.reconcile().catch(() => undefined);
    if (this.config.reconcileMinutes > 0) {
      this.recurring.start(this.config.reconcileMinutes * 60_000, () => this.reconcile());
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** Pulls the fleet API once and applies what it says. @throws when the API cannot be read */
  async reconcile(): Promise<ReconcileSummary> {
    let vehicles: FleetApiVehicle[];
    try {
      vehicles = await this.policy.execute((signal) => this.api.vehicles(signal), { idempotent: true });
    } catch (error) {
      this.metrics.reconciled('failed');
      this.logger.warn({ err: error }, 'could not read the fleet API; the next reconciliation tries again');
      throw error;
    }
    const summary: ReconcileSummary = {};
    const feed = async (event: Record<string, unknown>) => {
      const { outcome } = await this.events.handle(JSON.stringify(event), 'reconcile');
      summary[outcome] = (summary[outcome] ?? 0) + 1;
    };
    const now = this.clock.now();
    for (const v of vehicles) {
      await feed({
        id: `reconcile:status:${v.vehicleId}:${v.statusChangedAt}`,
        type: 'VehicleStatusChanged',
        occurredAt: v.statusChangedAt,
        vehicleId: v.vehicleId,
        status: v.status,
      });
      for (const m of v.maintenance) {
        await feed({
          id: `reconcile:maintenance:${m.maintenanceId}:${m.updatedAt}`,
          type: 'MaintenanceScheduled',
          occurredAt: m.updatedAt,
          vehicleId: v.vehicleId,
          maintenanceId: m.maintenanceId,
          from: m.from,
          to: m.to,
          reason: m.reason,
          cancelled: m.cancelled,
        });
      }
      const unit = await this.units.unitByFleetId(v.vehicleId);
      if (!unit) continue;
      const listed = new Set(v.maintenance.map((m) => m.maintenanceId));
      for (const block of await this.units.blocksOf(unit.id)) {
        if (listed.has(block.maintenanceId!) || block.end <= now) continue;
        await feed({
          id: `reconcile:maintenance:${block.maintenanceId}:lifted:${now.toISOString()}`,
          type: 'MaintenanceScheduled',
          occurredAt: now.toISOString(),
          vehicleId: v.vehicleId,
          maintenanceId: block.maintenanceId,
          cancelled: true,
        });
      }
    }
    this.metrics.reconciled('ok');
    return summary;
  }
}
