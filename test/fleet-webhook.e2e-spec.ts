import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { createTestApp, type TestApp } from './support/test-app';
import { fleetOffering, postFleetEvent, statusChanged } from './support/fleet-helpers';

const OLD_SECRET = 'fleet_old_secret_0123456789';
const NEW_SECRET = 'fleet_new_secret_0123456789';

/**
 * POST /v1/integrations/fleet/events (DESIGN.md section 12): the signature (rotation,
 * tolerance, tampering) and the handler's rules behind it: applied once per id, an older
 * event never overrides a newer one, unknown vehicles and malformed events recorded and
 * acknowledged.
 */
describe('fleet events over signed HTTP', () => {
  let t: TestApp;
  let vehicleId: string;
  let unitId: string;
  const fleetStatus = async () =>
    ((await t.dataSource.query(`SELECT fleet_status FROM rental_units WHERE id = $1`, [unitId])) as { fleet_status: string }[])[0]
      .fleet_status;
  const recorded = async (id: string) =>
    (
      (await t.dataSource.query(`SELECT outcome, detail, source FROM fleet_events WHERE id = $1`, [id])) as {
        outcome: string;
        detail: string | null;
        source: string;
      }[]
    )[0];

  beforeAll(async () => {
    t = await createTestApp({ env: { FLEET_WEBHOOK_SECRET: `${NEW_SECRET}, ${OLD_SECRET}`, FLEET_API_MODE: 'off' } });
    const { units } = await fleetOffering(t, 1);
    unitId = units[0].id;
    vehicleId = units[0].fleetVehicleId!;
  });
  afterAll(async () => t?.close());

  it('applies a status change signed with either secret of the rotation, audited as system:fleet', async () => {
    const first = statusChanged(vehicleId, 'maintenance', new Date(Date.now() - 60_000).toISOString());
    const res = await postFleetEvent(t, first, { secret: OLD_SECRET }).expect(200);
    expect(res.body).toEqual({ received: true, eventId: first.id, outcome: 'applied' });
    expect(await fleetStatus()).toBe('maintenance');
    const second = statusChanged(vehicleId, 'available', new Date().toISOString());
    await postFleetEvent(t, second, { secret: NEW_SECRET }).expect(200);
    expect(await fleetStatus()).toBe('available');
    const audit = (await t.dataSource.query(
      `SELECT actor FROM audit_log WHERE record_id = $1 AND action = 'fleet_status' ORDER BY occurred_at`,
      [unitId],
    )) as { actor: string }[];
    expect(audit.map((a) => a.actor)).toEqual(['system:fleet', 'system:fleet']);
    expect(await recorded(second.id)).toMatchObject({ outcome: 'applied', source: 'http' });
  });

  it('refuses a wrong secret, a tampered body, a missing header and a timestamp over 5 minutes off (400), storing nothing', async () => {
    const event = statusChanged(vehicleId, 'out_of_service', new Date().toISOString());
    const wrong = await postFleetEvent(t, event, { secret: 'not_the_secret_0123456789' }).expect(400);
    expect(wrong.body).toMatchObject({ error: 'VALIDATION_FAILED', requestId: expect.any(String) });
    // Signed over one body, sent with another.
    const signed = JSON.stringify(event);
    const tampered = signed.replace('out_of_service', 'available');
    const { signFleetEvent } = await import('../src/fleet/fleet-signature');
    await t.http
      .post('/v1/integrations/fleet/events')
      .set('Content-Type', 'application/json')
      .set('X-Fleet-Signature', signFleetEvent(signed, NEW_SECRET, Math.floor(t.clock.nowMs() / 1000)))
      .send(tampered)
      .expect(400);
    await t.http.post('/v1/integrations/fleet/events').set('Content-Type', 'application/json').send(signed).expect(400);
    const now = Math.floor(t.clock.nowMs() / 1000);
    await postFleetEvent(t, event, { at: now - 301 }).expect(400);
    await postFleetEvent(t, event, { at: now + 301 }).expect(400);
    await postFleetEvent(t, event, { at: now - 299 }).expect(200); // inside the tolerance: applied
    expect(await fleetStatus()).toBe('out_of_service');
  });

  it('follows the app clock for the tolerance', async () => {
    const event = statusChanged(vehicleId, 'in_use', new Date(Date.now() + 1000).toISOString());
    const signedAt = Math.floor(t.clock.nowMs() / 1000);
    t.clock.advance(10 * 60_000);
    try {
      await postFleetEvent(t, event, { at: signedAt }).expect(400);
    } finally {
      t.clock.reset();
    }
    expect(await recorded(event.id)).toBeUndefined();
  });

  it('applies an event once: a replay of the same id is acknowledged as a duplicate and changes nothing', async () => {
    const event = statusChanged(vehicleId, 'in_use', new Date(Date.now() + 2000).toISOString());
    await postFleetEvent(t, event).expect(200);
    expect(await fleetStatus()).toBe('in_use');
    // An admin sets the status meanwhile; the replayed event must not set it back.
    await t.dataSource.query(`UPDATE rental_units SET fleet_status = 'available' WHERE id = $1`, [unitId]);
    const replay = await postFleetEvent(t, event).expect(200);
    expect(replay.body).toMatchObject({ eventId: event.id, outcome: 'duplicate' });
    expect(await fleetStatus()).toBe('available');
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM fleet_events WHERE id = $1`, [event.id])) as {
      n: number;
    }[];
    expect(rows[0].n).toBe(1);
  });

  it('never lets an older event override a newer one (out of order: stale, recorded)', async () => {
    const base = Date.now() + 10_000;
    const newer = statusChanged(vehicleId, 'maintenance', new Date(base + 5000).toISOString());
    const older = statusChanged(vehicleId, 'available', new Date(base).toISOString());
    await postFleetEvent(t, newer).expect(200);
    const stale = await postFleetEvent(t, older).expect(200);
    expect(stale.body).toMatchObject({ eventId: older.id, outcome: 'stale' });
    expect(await fleetStatus()).toBe('maintenance');
    expect(await recorded(older.id)).toMatchObject({ outcome: 'stale', detail: expect.stringContaining(vehicleId) });
    // The same instant is not newer either.
    const same = statusChanged(vehicleId, 'available', newer.occurredAt);
    expect((await postFleetEvent(t, same).expect(200)).body.outcome).toBe('stale');
    expect(await fleetStatus()).toBe('maintenance');
  });

  it('records and acknowledges an unknown vehicle', async () => {
    const event = statusChanged('no-such-vehicle', 'maintenance', new Date().toISOString());
    const res = await postFleetEvent(t, event).expect(200);
    expect(res.body).toMatchObject({ outcome: 'unknown_vehicle', detail: expect.stringContaining('no-such-vehicle') });
    expect(await recorded(event.id)).toMatchObject({ outcome: 'unknown_vehicle' });
    expect((await postFleetEvent(t, event).expect(200)).body.outcome).toBe('duplicate');
  });

  it.each([
    [
      'an unknown type',
      (v: string) => ({ id: 'evt-m1', type: 'VehicleExploded', occurredAt: new Date().toISOString(), vehicleId: v }),
    ],
    ['a bad status', (v: string) => statusChanged(v, 'flying', new Date().toISOString(), 'evt-m2')],
    ['no occurredAt', (v: string) => ({ id: 'evt-m3', type: 'VehicleStatusChanged', vehicleId: v, status: 'available' })],
    [
      'a block ending before it starts',
      (v: string) => ({
        id: 'evt-m4',
        type: 'MaintenanceScheduled',
        occurredAt: new Date().toISOString(),
        vehicleId: v,
        maintenanceId: 'm-bad',
        from: '2030-01-02T00:00:00Z',
        to: '2030-01-01T00:00:00Z',
      }),
    ],
  ])('records and acknowledges a signed malformed event (%s), once', async (_name, make) => {
    const event = make(vehicleId) as { id: string };
    const res = await postFleetEvent(t, event).expect(200);
    expect(res.body).toMatchObject({ eventId: event.id, outcome: 'malformed', detail: expect.any(String) });
    expect(await recorded(event.id)).toMatchObject({ outcome: 'malformed' });
    expect((await postFleetEvent(t, event).expect(200)).body.outcome).toBe('duplicate');
  });

  it('records a signed body that is JSON but no event under the hash of its bytes', async () => {
    const res = await postFleetEvent(t, null, { body: '["half", "an", "event"]' }).expect(200);
    expect(res.body).toMatchObject({ outcome: 'malformed', eventId: expect.stringMatching(/^malformed:[0-9a-f]{64}$/) });
    expect((await postFleetEvent(t, null, { body: '["half", "an", "event"]' }).expect(200)).body.outcome).toBe('duplicate');
  });

  it('records hostile but signed input (NUL characters, deep nesting) without failing, so it is never retried', async () => {
    const nul = { ...statusChanged(vehicleId, 'available', new Date().toISOString()), vehicleId: 'van\u0000x' };
    expect((await postFleetEvent(t, nul).expect(200)).body).toMatchObject({ eventId: nul.id, outcome: 'malformed' });
    const nulId = { ...statusChanged(vehicleId, 'available', new Date().toISOString()), id: 'evt\u0000nul' };
    expect((await postFleetEvent(t, nulId).expect(200)).body.eventId).toMatch(/^malformed:/);
    const nested = statusChanged(vehicleId, 'available', new Date(Date.now() + 3_600_000).toISOString());
    const deep = `${'{"deep":'.repeat(5000)}0${'}'.repeat(5000)}`;
    const body = `${JSON.stringify(nested).slice(0, -1)},"extra":${deep}}`;
    expect((await postFleetEvent(t, null, { body }).expect(200)).body).toMatchObject({ eventId: nested.id, outcome: 'applied' });
    expect(await fleetStatus()).toBe('available');
  });

  it('lists what it received for an admin (GET /v1/admin/fleet/events): newest first, filtered; 403 for others', async () => {
    const admin = { Authorization: `Bearer ${t.token('fleet-ops', ['admin'])}` };
    const list = async (query: Record<string, string | number> = {}) =>
      (await t.http.get('/v1/admin/fleet/events').query(query).set(admin).expect(200)).body as {
        events: {
          id: string;
          source: string;
          type: string | null;
          vehicleId: string | null;
          receivedAt: string;
          outcome: string;
          detail: string | null;
          payload: unknown;
        }[];
        pagination: { total: number };
      };
    const all = await list({ limit: 200 });
    expect(all.pagination.total).toBe(all.events.length);
    const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM fleet_events`)) as { count: number }[];
    expect(all.pagination.total).toBe(count);
    const received = all.events.map((e) => Date.parse(e.receivedAt));
    expect(received).toEqual([...received].sort((a, b) => b - a));

    const unknown = await list({ outcome: 'unknown_vehicle' });
    expect(unknown.events).toContainEqual(
      expect.objectContaining({
        source: 'http',
        type: 'VehicleStatusChanged',
        vehicleId: 'no-such-vehicle',
        detail: expect.stringContaining('no-such-vehicle'),
        payload: expect.objectContaining({ vehicleId: 'no-such-vehicle' }),
      }),
    );
    const applied = await list({ outcome: 'applied', vehicleId, source: 'http' });
    expect(applied.events.length).toBeGreaterThan(0);
    expect(applied.events.every((e) => e.outcome === 'applied' && e.vehicleId === vehicleId && e.source === 'http')).toBe(true);
    const malformed = await list({ outcome: 'malformed', limit: 2, offset: 1 });
    expect(malformed.events).toHaveLength(2);
    expect(malformed.pagination.total).toBeGreaterThanOrEqual(4);

    for (const query of [
      { outcome: 'duplicate' },
      { source: 'email' },
      { limit: 1000 },
      { offset: -1 },
      { vehicleId: 'x'.repeat(129) },
      { vehicleId: 'van\u0000x' },
    ]) {
      const refused = await t.http.get('/v1/admin/fleet/events').query(query).set(admin).expect(400);
      expect(refused.body.error).toBe('VALIDATION_FAILED');
    }
    await t.http
      .get('/v1/admin/fleet/events')
      .set('Authorization', `Bearer ${t.token('fleet-customer')}`)
      .expect(403);
    await t.http.get('/v1/admin/fleet/events').expect(401);
  });

  it('counts what it received in fleet_events_total', async () => {
    const text = await t.app.get(MetricsRegistry).metrics();
    expect(text).toMatch(/fleet_events_total\{source="http",outcome="applied"\} [1-9]/);
    expect(text).toMatch(/fleet_events_total\{source="http",outcome="rejected"\} [1-9]/);
  });
});
