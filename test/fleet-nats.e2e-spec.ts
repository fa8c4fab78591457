import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { FleetEventsService } from '../src/fleet/fleet-events.service';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { at, fleetOffering, liveAllocations, maintenance, statusChanged } from './support/fleet-helpers';
import { natsAvailable, type RunningNats, startNatsServer } from './support/nats-server';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const STREAM = 'FLEET_EVENTS_TEST';

/**
 * The JetStream consumer (FLEET_NATS_URL) against a real nats-server: events published on
 * `fleet.events.>` reach the one handler, duplicates and out-of-order ones included, and
 * the consumer carries on after the server restarts.
 */
(natsAvailable() ? describe : describe.skip)('fleet events over NATS JetStream', () => {
  let nats: RunningNats;
  let t: TestApp;
  let publisher: NatsConnection | null = null;
  let vehicleId: string;
  let unitId: string;
  const outcome = async (id: string) =>
    (
      (await t.dataSource.query(`SELECT outcome, source FROM fleet_events WHERE id = $1`, [id])) as {
        outcome: string;
        source: string;
      }[]
    )[0];
  const fleetStatus = async () =>
    ((await t.dataSource.query(`SELECT fleet_status FROM rental_units WHERE id = $1`, [unitId])) as { fleet_status: string }[])[0]
      .fleet_status;
  /** Publishes an event (a message id of its own per call, so a duplicate really is delivered twice). */
  const publish = async (event: { type: string }, seq: number) => {
    publisher ??= await connect({ servers: nats.url });
    await jetstream(publisher).publish(`fleet.events.${event.type}`, JSON.stringify(event), { msgID: `m-${seq}-${Date.now()}` });
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    t = await createTestApp({ env: { FLEET_NATS_URL: nats.url, FLEET_NATS_STREAM: STREAM, FLEET_API_MODE: 'off' } });
    const { units } = await fleetOffering(t, 1);
    unitId = units[0].id;
    vehicleId = units[0].fleetVehicleId!;
    // The consumer creates the stream when it starts (in the background).
    const probe = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(probe);
    await waitFor('the fleet stream and consumer', async () => {
      try {
        await jsm.consumers.info(STREAM, 'holdfast-fleet');
        return true;
      } catch {
        return false;
      }
    });
    await probe.close();
  });
  afterAll(async () => {
    await publisher?.close();
    await t?.close();
    await nats?.close();
  });

  it('applies events once and in occurredAt order, whatever the delivery order and duplicates', async () => {
    const base = Date.now();
    const newer = statusChanged(vehicleId, 'out_of_service', new Date(base + 5000).toISOString());
    const older = statusChanged(vehicleId, 'available', new Date(base).toISOString());
    await publish(newer, 1);
    await publish(newer, 2); // the same event id again: a duplicate
    await publish(older, 3); // arrives after a newer one: stale
    await waitFor('the three deliveries', async () => (await outcome(older.id)) !== undefined);
    expect(await fleetStatus()).toBe('out_of_service');
    expect(await outcome(newer.id)).toEqual({ outcome: 'applied', source: 'nats' });
    expect(await outcome(older.id)).toEqual({ outcome: 'stale', source: 'nats' });
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM fleet_events WHERE id = ANY($1)`, [
      [newer.id, older.id],
    ])) as {
      n: number;
    }[];
    expect(rows[0].n).toBe(2);
    const metrics = await t.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(/fleet_events_total\{source="nats",outcome="duplicate"\} 1/);
  });

  it('records and acknowledges a malformed message and an unknown vehicle (nothing left to redeliver)', async () => {
    const malformed = {
      id: 'nats-malformed-1',
      type: 'VehicleStatusChanged',
      vehicleId,
      occurredAt: 'yesterday',
      status: 'available',
    };
    const unknown = statusChanged('nats-unknown-vehicle', 'maintenance', new Date().toISOString());
    await publish(malformed, 4);
    await publish(unknown, 5);
    await waitFor(
      'both recorded',
      async () => (await outcome(unknown.id)) !== undefined && (await outcome(malformed.id)) !== undefined,
    );
    expect((await outcome(malformed.id)).outcome).toBe('malformed');
    expect((await outcome(unknown.id)).outcome).toBe('unknown_vehicle');
    const probe = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(probe);
      await waitFor('every message acknowledged', async () => {
        const info = await jsm.consumers.info(STREAM, 'holdfast-fleet');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    } finally {
      await probe.close();
    }
  });

  it('delivers an event again after a failure on our side (nak with a delay), and applies it then', async () => {
    const events = t.app.get(FleetEventsService);
    const original = events.handle.bind(events);
    const event = statusChanged(vehicleId, 'in_use', new Date(Date.now() + 60_000).toISOString());
    let failures = 0;
    events.handle = async (raw, source) => {
      if (raw.toString().includes(event.id) && failures < 2) {
        failures++;
        throw new Error('the database is down (simulated)');
      }
      return original(raw, source);
    };
    try {
      await publish(event, 9);
      await waitFor('the redelivered event', async () => (await outcome(event.id))?.outcome === 'applied', 20_000);
    } finally {
      events.handle = original;
    }
    expect(failures).toBe(2);
    expect(await fleetStatus()).toBe('in_use');
    expect(await t.app.get(MetricsRegistry).metrics()).toMatch(/fleet_events_total\{source="nats",outcome="failed"\} 2/);
  });

  it('carries on after the server restarts: a maintenance block published afterwards lands', async () => {
    await publisher?.close();
    publisher = null;
    await nats.stop();
    await nats.start();
    const block = maintenance(vehicleId, { maintenanceId: 'nats-m1', from: at(3), to: at(5) });
    await publish(block, 6);
    await waitFor('the block after the restart', async () => (await outcome(block.id))?.outcome === 'applied', 30_000);
    expect(await liveAllocations(t, unitId)).toEqual([
      expect.objectContaining({ purpose: 'maintenance', maintenance_id: 'nats-m1' }),
    ]);
    // And its cancellation, sent twice, lifts it once.
    const cancel = maintenance(vehicleId, { maintenanceId: 'nats-m1', from: at(3), to: at(5), cancelled: true });
    await publish(cancel, 7);
    await publish(cancel, 8);
    await waitFor('the cancellation', async () => (await outcome(cancel.id))?.outcome === 'applied');
    expect(await liveAllocations(t, unitId)).toEqual([]);
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  });
});
