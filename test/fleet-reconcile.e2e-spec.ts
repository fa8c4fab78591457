import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { FleetReconciler } from '../src/fleet/fleet-reconciler';
import { startFakeFleet, type FakeFleet } from './support/fake-fleet';
import { at, fleetOffering, liveAllocations, postFleetEvent, statusChanged } from './support/fleet-helpers';
import { waitFor } from './support/wait';
import { createTestApp, type TestApp } from './support/test-app';

const API_KEY = 'fleet-api-key-for-tests';

/**
 * The REST pull that repairs missed events (GET {FLEET_API_URL}/vehicles), through the same
 * handler as events: statuses and maintenance land once, never over a newer event, and a
 * block the fleet no longer lists is lifted.
 */
describe('fleet reconciliation from the fleet API', () => {
  let t: TestApp;
  let fleet: FakeFleet;
  let vehicleId: string;
  let unitId: string;
  const fleetStatus = async () =>
    ((await t.dataSource.query(`SELECT fleet_status FROM rental_units WHERE id = $1`, [unitId])) as { fleet_status: string }[])[0]
      .fleet_status;

  beforeAll(async () => {
    fleet = await startFakeFleet(API_KEY);
    t = await createTestApp({
      env: { FLEET_API_MODE: 'http', FLEET_API_URL: fleet.url, FLEET_API_KEY: API_KEY, FLEET_RECONCILE_MINUTES: '0' },
    });
    const { units } = await fleetOffering(t, 1);
    unitId = units[0].id;
    vehicleId = units[0].fleetVehicleId!;
  });
  afterAll(async () => {
    await t?.close();
    await fleet?.close();
  });

  it('pulled the fleet API at start-up, with the API key', async () => {
    await waitFor('the start-up pull', async () => fleet.requests.length > 0);
    expect(fleet.requests[0]).toEqual({ path: '/api/vehicles', apiKeyValid: true });
  });

  it('applies missed statuses and maintenance once; a second pull changes nothing', async () => {
    const changedAt = new Date(Date.now() - 60_000).toISOString();
    fleet.vehicles = [
      {
        vehicleId,
        status: 'maintenance',
        statusChangedAt: changedAt,
        maintenance: [
          { maintenanceId: 'rc-m1', from: at(2), to: at(4), reason: 'tyres', cancelled: false, updatedAt: changedAt },
        ],
      },
      { vehicleId: 'not-ours', status: 'available', statusChangedAt: changedAt, maintenance: [] },
    ];
    const reconciler = t.app.get(FleetReconciler);
    expect(await reconciler.reconcile()).toEqual({ applied: 2, unknown_vehicle: 1 });
    expect(await fleetStatus()).toBe('maintenance');
    expect(await liveAllocations(t, unitId)).toEqual([
      expect.objectContaining({ purpose: 'maintenance', maintenance_id: 'rc-m1' }),
    ]);
    expect(await reconciler.reconcile()).toEqual({ duplicate: 3 });
    expect(await liveAllocations(t, unitId)).toHaveLength(1);
  });

  it('never overrides a newer event with what an older pull says', async () => {
    await postFleetEvent(t, statusChanged(vehicleId, 'available', new Date().toISOString())).expect(200);
    fleet.vehicles[0] = { ...fleet.vehicles[0], statusChangedAt: new Date(Date.now() - 30_000).toISOString() };
    const summary = await t.app.get(FleetReconciler).reconcile();
    expect(summary.stale).toBe(1);
    expect(await fleetStatus()).toBe('available');
  });

  it('lifts a block the fleet no longer lists (a missed cancellation)', async () => {
    fleet.vehicles[0] = { ...fleet.vehicles[0], maintenance: [] };
    expect((await t.app.get(FleetReconciler).reconcile()).applied).toBe(1);
    expect(await liveAllocations(t, unitId)).toEqual([]);
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  });

  it('fails the pull when the fleet API is down, changing nothing', async () => {
    fleet.failWith = 503;
    try {
      await expect(t.app.get(FleetReconciler).reconcile()).rejects.toThrow();
    } finally {
      fleet.failWith = null;
    }
    const integrations = await t.http
      .get('/v1/admin/integrations')
      .set('Authorization', `Bearer ${t.token('ops', ['admin'])}`)
      .expect(200);
    const state = (integrations.body.integrations as { name: string; lastError: { message: string } | null }[]).find(
      (i) => i.name === 'fleet',
    );
    expect(state?.lastError?.message).toMatch(/503/);
  });
});
