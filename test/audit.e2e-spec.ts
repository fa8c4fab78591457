import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditService } from '@holdfast/audit';
import { TransactionHost } from '@holdfast/database';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an entry's before/after is whatever record it describes
type Entry = any;

/**
 * The audit log (libs/audit, GET /v1/admin/audit): every admin change is recorded with
 * who, when, which record, before and after, in the change's own transaction.
 */
describe('audit log', () => {
  let t: TestApp;
  let ada: string;
  let bob: string;
  let user: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const audit = async (query: Record<string, string | number>, token = ada) =>
    (await t.http.get('/v1/admin/audit').query(query).set(as(token)).expect(200)).body as {
      entries: {
        actor: string;
        recordType: string;
        recordId: string;
        action: string;
        before: Entry;
        after: Entry;
        occurredAt: string;
      }[];
      pagination: { total: number; limit: number; offset: number; hasMore: boolean };
    };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    ada = t.token('ada', ['admin']);
    bob = t.token('bob', ['admin']);
    user = t.token('alice');
  });
  afterAll(async () => t.close());

  it('records an offering created and then changed: who, which record, what, before and after', async () => {
    const body = { kind: 'experience', title: 'Cave tour', description: 'Dark.', currency: 'EUR', basePrice: 5000 };
    const created = (await t.http.post('/v1/admin/offerings').set(as(ada)).send(body).expect(201)).body;
    const changed = (
      await t.http
        .patch(`/v1/admin/offerings/${created.id}`)
        .set(as(bob))
        .send({ title: 'Deep cave tour', basePrice: 5500 })
        .expect(200)
    ).body;

    const { entries, pagination } = await audit({ recordType: 'offering', recordId: created.id });
    expect(pagination).toEqual({ total: 2, limit: 50, offset: 0, hasMore: false });
    // Newest first.
    expect(entries[0]).toEqual({
      id: expect.any(String),
      occurredAt: expect.any(String),
      actor: 'bob',
      recordType: 'offering',
      recordId: created.id,
      action: 'update',
      before: created,
      after: changed,
    });
    expect(entries[0].before.title).toBe('Cave tour');
    expect(entries[0].after).toMatchObject({ title: 'Deep cave tour', basePrice: 5500 });
    expect(entries[1]).toMatchObject({ actor: 'ada', action: 'create', before: null, after: created });
  });

  it('records time slots created and changed, stock set and rental units added', async () => {
    const tour = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = (
      await t.http
        .post(`/v1/admin/offerings/${tour.id}/time-slots`)
        .set(as(ada))
        .send({ startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T11:00:00Z', capacity: 5 })
        .expect(201)
    ).body;
    const patched = (await t.http.patch(`/v1/admin/time-slots/${slot.id}`).set(as(ada)).send({ capacity: 9 }).expect(200)).body;
    const slotLog = await audit({ recordType: 'time_slot', recordId: slot.id });
    expect(slotLog.entries.map((e) => [e.action, e.before?.capacity ?? null, e.after.capacity])).toEqual([
      ['update', 5, 9],
      ['create', null, 5],
    ]);
    expect(slotLog.entries[0].after).toEqual(patched);

    const product = await createOffering(t.dataSource, { kind: 'product' });
    const sku = `AUD-${randomUUID().slice(0, 8)}`;
    await t.http
      .put(`/v1/admin/offerings/${product.id}/stock`)
      .set(as(ada))
      .send({ items: [{ sku, onHand: 3 }] })
      .expect(200);
    await t.http
      .put(`/v1/admin/offerings/${product.id}/stock`)
      .set(as(bob))
      .send({ items: [{ sku, onHand: 7 }] })
      .expect(200);
    const stockLog = await audit({ recordType: 'offering_stock', recordId: product.id });
    expect(
      stockLog.entries.map((e) => [e.actor, e.action, e.before.map((i: Entry) => i.onHand), e.after.map((i: Entry) => i.onHand)]),
    ).toEqual([
      ['bob', 'set', [3], [7]],
      ['ada', 'set', [], [3]],
    ]);

    const van = await createOffering(t.dataSource, { kind: 'rental' });
    const unit = (await t.http.post(`/v1/admin/offerings/${van.id}/units`).set(as(ada)).send({ label: 'VAN-9' }).expect(201))
      .body;
    expect((await audit({ recordType: 'rental_unit', recordId: unit.id })).entries).toEqual([
      expect.objectContaining({ actor: 'ada', action: 'create', before: null, after: unit }),
    ]);
  });

  it('records an admin refund (and not a refused one)', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 10000 });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    const alice = as(user);
    const hold = await t.http
      .post('/v1/reservations/hold')
      .set(alice)
      .set('X-Idempotency-Key', randomUUID())
      .send({
        experienceId: offering.id,
        timeSlotId: slot.id,
        numberOfGuests: 1,
        guestName: 'Al Ice',
        guestEmail: 'al@example.com',
      })
      .expect(200);
    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(alice)
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: hold.body.reservation.id })
      .expect(200);
    const pi = converted.body.reservation.paymentIntentId as string;
    await t.http.post(`/v1/dev/payments/${pi}/confirm`).set(alice).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    await (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
    const [{ id: paymentId }] = (await t.dataSource.query('SELECT id FROM payments WHERE provider_intent_id = $1', [pi])) as {
      id: string;
    }[];

    const refund = (
      await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(as(bob)).send({ amount: 2500, reason: 'rain' }).expect(201)
    ).body;
    await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(as(bob)).send({ amount: 999_999 }).expect(422);

    const { entries } = await audit({ recordType: 'refund', actor: 'bob' });
    expect(entries).toEqual([
      expect.objectContaining({
        recordId: refund.refundId,
        action: 'create',
        before: null,
        after: expect.objectContaining({ refundId: refund.refundId, paymentId, amount: 2500, reason: 'rain', source: 'admin' }),
      }),
    ]);
  });

  it('writes the entry in the same transaction as the change: an entry that cannot be written undoes the change', async () => {
    const offering = await createOffering(t.dataSource, { title: 'Before' });
    // Make the audit insert fail for this record only (a CHECK the entry breaks).
    await t.dataSource.query(`ALTER TABLE audit_log ADD CONSTRAINT test_refuse CHECK (record_id <> '${offering.id}')`);
    try {
      const res = await t.http.patch(`/v1/admin/offerings/${offering.id}`).set(as(ada)).send({ title: 'After' });
      expect(res.status).toBe(500);
      expect(res.body.error).toBe('INTERNAL_ERROR');
    } finally {
      await t.dataSource.query(`ALTER TABLE audit_log DROP CONSTRAINT test_refuse`);
    }
    const [row] = (await t.dataSource.query('SELECT title FROM offerings WHERE id = $1', [offering.id])) as { title: string }[];
    expect(row.title).toBe('Before');
  });

  it('writes no entry for a change that fails, and rolls an entry back with its transaction', async () => {
    const tour = await createOffering(t.dataSource, { kind: 'experience' });
    const refused = await t.http
      .post(`/v1/admin/offerings/${tour.id}/time-slots`)
      .set(as(ada))
      .send({ startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T08:00:00Z', capacity: 5 });
    expect(refused.status).toBe(400);
    const txHost = t.app.get(TransactionHost);
    const service = t.app.get(AuditService);
    const recordId = randomUUID();
    await expect(
      txHost.run(async () => {
        await service.record({ actor: 'ada', recordType: 'probe', recordId, action: 'create', after: { x: 1 } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await audit({ recordType: 'probe', recordId })).entries).toEqual([]);
    // Outside a transaction it refuses: the entry could not share the change's fate.
    await expect(service.record({ actor: 'ada', recordType: 'probe', recordId, action: 'create' })).rejects.toThrow(
      /inside the transaction/,
    );
  });

  it('filters by actor and time, and pages', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const carol = t.token('carol', ['admin']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const body = { kind: 'product', title: `Carol ${i}`, description: '', currency: 'EUR', basePrice: 100 };
      ids.push((await t.http.post('/v1/admin/offerings').set(as(carol)).send(body).expect(201)).body.id);
    }
    const all = await audit({ actor: 'carol' });
    expect(all.entries.map((e) => e.recordId)).toEqual([...ids].reverse());
    const page = await audit({ actor: 'carol', limit: 2, offset: 1 });
    expect(page.entries.map((e) => e.recordId)).toEqual([ids[1], ids[0]]);
    expect(page.pagination).toEqual({ total: 3, limit: 2, offset: 1, hasMore: false });
    expect((await audit({ actor: 'carol', limit: 1 })).pagination.hasMore).toBe(true);
    expect((await audit({ actor: 'carol', from: start })).pagination.total).toBe(3);
    expect((await audit({ actor: 'carol', to: start })).pagination.total).toBe(0);
    expect((await audit({ actor: 'nobody' })).entries).toEqual([]);
  });

  it('is for admins only, and refuses bad queries with 400', async () => {
    const forbidden = await t.http.get('/v1/admin/audit').set(as(user));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('FORBIDDEN');
    await t.http.get('/v1/admin/audit').expect(401);
    for (const query of [
      { limit: 0 },
      { limit: 201 },
      { offset: -1 },
      { from: 'yesterday' },
      { to: '2026-13-01' },
      { recordType: '' },
      { extra: 1 },
    ]) {
      const res = await t.http.get('/v1/admin/audit').query(query).set(as(ada));
      expect({ query, status: res.status, error: res.body.error }).toEqual({ query, status: 400, error: 'VALIDATION_FAILED' });
    }
  });
});
