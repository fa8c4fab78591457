import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { SupportService } from '../src/support/support.service';
import { createTestApp, type TestApp } from './support/test-app';

/** Support cases (src/support): opened in the caller's transaction, listed and resolved by admins, audited. */
describe('support cases', () => {
  let t: TestApp;
  let support: SupportService;
  let txHost: TransactionHost;
  let ada: string;
  let user: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const list = async (query: Record<string, string | number> = {}) =>
    (await t.http.get('/v1/admin/support-cases').query(query).set(as(ada)).expect(200)).body as {
      cases: {
        id: string;
        kind: string;
        status: string;
        reservationId: string | null;
        details: object;
        resolution: string | null;
      }[];
      pagination: { total: number; limit: number; offset: number; hasMore: boolean };
    };
  const resolve = (id: string, body: object, token = ada) =>
    t.http.post(`/v1/admin/support-cases/${id}/resolve`).set(as(token)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    support = t.app.get(SupportService);
    txHost = t.app.get(TransactionHost);
    ada = t.token('ada', ['admin']);
    user = t.token('alice');
  });
  afterAll(async () => t.close());

  it('opens a case inside the caller transaction: it exists only if that transaction commits', async () => {
    const reservationId = randomUUID();
    await expect(
      txHost.run(async () => {
        await support.open('ims_confirmation_failed', reservationId, { attempt: 3 });
        throw new Error('the failure was not recorded after all');
      }),
    ).rejects.toThrow('not recorded');
    expect((await list({ kind: 'ims_confirmation_failed' })).cases).toEqual([]);

    const opened = await txHost.run(() =>
      support.open('ims_confirmation_failed', reservationId, { attempt: 3, error: 'timeout' }),
    );
    const { cases } = await list({ kind: 'ims_confirmation_failed' });
    expect(cases).toEqual([
      {
        id: opened.id,
        kind: 'ims_confirmation_failed',
        reservationId,
        status: 'open',
        details: { attempt: 3, error: 'timeout' },
        openedAt: expect.any(String),
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
      },
    ]);
  });

  it('refuses a malformed kind or reservation id from a caller (a programming error)', async () => {
    await expect(support.open('Not A Kind', null)).rejects.toThrow(/kind/);
    await expect(support.open('fine_failed', 'not-a-uuid')).rejects.toThrow(/UUID/);
  });

  it('lists by status and kind, newest first, in pages', async () => {
    const kind = `k_${randomUUID().slice(0, 8)}`;
    const a = await support.open(kind, null, { n: 1 });
    const b = await support.open(kind, null, { n: 2 });
    const c = await support.open(kind, null, { n: 3 });
    await resolve(b.id, { resolution: 'done' }).expect(200);
    expect((await list({ kind })).cases.map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect((await list({ kind, status: 'open' })).cases.map((x) => x.id)).toEqual([c.id, a.id]);
    expect((await list({ kind, status: 'resolved' })).cases.map((x) => x.id)).toEqual([b.id]);
    const page = await list({ kind, limit: 1, offset: 1 });
    expect(page.cases.map((x) => x.id)).toEqual([b.id]);
    expect(page.pagination).toEqual({ total: 3, limit: 1, offset: 1, hasMore: true });
  });

  it('resolves a case once, audited with before and after; again is 400 VALIDATION_FAILED saying by whom', async () => {
    const opened = await support.open('fine_charge_failed', randomUUID(), { amount: 5000 });
    const res = await resolve(opened.id, { resolution: '  Waived the fine.  ' }).expect(200);
    expect(res.body).toMatchObject({
      id: opened.id,
      status: 'resolved',
      resolvedBy: 'ada',
      resolution: 'Waived the fine.',
      resolvedAt: expect.any(String),
    });

    const again = await resolve(opened.id, { resolution: 'Twice' }, t.token('bob', ['admin']));
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'id', message: expect.stringMatching(/^resolved by ada at /) }],
    });

    const audit = await t.http
      .get('/v1/admin/audit')
      .query({ recordType: 'support_case', recordId: opened.id })
      .set(as(ada))
      .expect(200);
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        actor: 'ada',
        action: 'resolve',
        before: expect.objectContaining({ status: 'open', resolution: null }),
        after: expect.objectContaining({ status: 'resolved', resolution: 'Waived the fine.', resolvedBy: 'ada' }),
      }),
    ]);
  });

  it('lets exactly one of two admins resolving at once win', async () => {
    const opened = await support.open('return_disputed', null);
    const results = await Promise.all([
      resolve(opened.id, { resolution: 'first' }),
      resolve(opened.id, { resolution: 'second' }, t.token('bob', ['admin'])),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const audit = await t.http
      .get('/v1/admin/audit')
      .query({ recordType: 'support_case', recordId: opened.id })
      .set(as(ada))
      .expect(200);
    expect(audit.body.entries).toHaveLength(1);
  });

  it('answers 404 for an unknown or malformed id, 400 for a bad body or query, 403 for a non-admin', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await resolve(id, { resolution: 'x' });
      expect({ id, status: res.status, error: res.body.error }).toEqual({ id, status: 404, error: 'NOT_FOUND' });
    }
    const opened = await support.open('fine_charge_failed', null);
    for (const body of [
      {},
      { resolution: '   ' },
      { resolution: 42 },
      { resolution: 'x'.repeat(2001) },
      { resolution: 'ok', extra: 1 },
    ]) {
      const res = await resolve(opened.id, body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'VALIDATION_FAILED' });
    }
    for (const query of [{ status: 'closed' }, { limit: 0 }, { limit: 201 }, { offset: -1 }, { kind: '' }]) {
      const res = await t.http.get('/v1/admin/support-cases').query(query).set(as(ada));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect((await resolve(opened.id, { resolution: 'x' }, user)).status).toBe(403);
    expect((await t.http.get('/v1/admin/support-cases').set(as(user))).status).toBe(403);
    // Nothing of that changed the case.
    expect((await list({ kind: 'fine_charge_failed', status: 'open' })).cases.map((c) => c.id)).toContain(opened.id);
  });
});
