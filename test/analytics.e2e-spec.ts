import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { VEHICLE_POLICY } from './factories/inventory.factory';
import { ANALYTICS_GUEST, AnalyticsBookings } from './support/analytics-bookings';
import { type Policy, RentalDriver } from './support/rental-driver';
import { createTestApp, type TestApp } from './support/test-app';

const SCOPE = 'holdfast/analytics.read';
const PATHS = ['/v1/bookings/analytics', '/api/bookings/analytics'];
type Rec = Record<string, unknown> & { reservationId: string; lineId: string };

/**
 * The analytics export over HTTP (DESIGN.md section 13, docs/analytics.md): booking
 * records with their facts and money and never the guest's details, JSON pages that
 * cover a range exactly once, the NDJSON stream equal to the pages, and who may call it
 * (admins, or a machine token with the scope), at /v1 and at seed 002's /api path.
 */
describe('GET /v1/bookings/analytics', () => {
  let t: TestApp;
  let b: AnalyticsBookings;
  let from: string;
  let to: string;
  let admin: { Authorization: string };
  const ids: Record<string, string> = {};
  let vehicleUnitId = '';

  const pages = async (limit: number, path = PATHS[0], auth = admin) => {
    const seen: Rec[] = [];
    let cursor: string | null = null;
    let count = 0;
    do {
      const res = await t.http
        .get(path)
        .query({ from, to, limit, ...(cursor ? { cursor } : {}) })
        .set(auth)
        .expect(200);
      seen.push(...(res.body.data as Rec[]));
      cursor = res.body.nextCursor as string | null;
      expect(++count).toBeLessThan(1000);
    } while (cursor);
    return seen;
  };
  const ndjson = async (path = PATHS[0], auth = admin) => {
    const res = await t.http.get(path).query({ from, to }).set(auth).set('Accept', 'application/x-ndjson').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const text = res.text;
    expect(text === '' || text.endsWith('\n')).toBe(true);
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Rec);
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    b = new AnalyticsBookings(t);
    admin = b.as('ops', ['admin']);
    await b.setUp();
    from = new Date(Date.now() - 60_000).toISOString();
    ids.held = await b.hold('ann', 3);
    ids.confirmed = await b.confirmed('ben', 2);
    ids.cancelled = await b.confirmed('cat', 1);
    await b.cancel('cat', ids.cancelled);
    ids.refunded = await b.confirmed('dan', 4);
    await b.refund(ids.refunded, 2500);
    const d = new RentalDriver(t);
    const { offeringId } = await d.vehicle(12_000, VEHICLE_POLICY as unknown as Policy);
    ids.vehicle = (await d.book('eve', offeringId, 1, 2, '4242424242424242')).id;
    const [unit] = (await t.dataSource.query(`SELECT id FROM rental_units WHERE offering_id = $1`, [offeringId])) as {
      id: string;
    }[];
    vehicleUnitId = unit.id;
    to = new Date(Date.now() + 60_000).toISOString();
  }, 120_000);
  afterAll(async () => t.close());

  it('gives one record per booking line with its facts, times and money, as the reservation API shows them', async () => {
    const records = await pages(100);
    expect(records.map((r) => r.reservationId).sort()).toEqual(Object.values(ids).sort());
    for (const record of records) {
      const view = await b.view(record.reservationId);
      const succeeded = (view.refunds as { amount: number; status: string }[]).filter((r) => r.status === 'succeeded');
      const captured = (view.payments as { captured: number }[]).reduce((sum, p) => sum + p.captured, 0);
      expect(record).toMatchObject({
        lineId: view.items[0].id,
        offeringId: view.items[0].offeringId,
        offeringKind: view.items[0].kind,
        quantity: view.items[0].quantity,
        unitPriceAmount: view.items[0].unitPrice,
        lineTotalAmount: view.items[0].totalPrice,
        bookingOriginalAmount: view.totals.subtotal,
        bookingDiscountAmount: view.totals.discount,
        shippingAmount: view.totals.shipping,
        taxAmount: view.totals.tax,
        holdExpiresAt: new Date(view.holdExpiresAt as string).toISOString(),
        status: view.status,
        paymentStatus: view.paymentStatus,
        bookingTotalAmount: view.totals.total,
        currency: view.currency,
        createdAt: new Date(view.createdAt as string).toISOString(),
        paidAmount: captured,
        refundedAmount: succeeded.reduce((sum, r) => sum + r.amount, 0),
        retainedAmount: captured - succeeded.reduce((sum, r) => sum + r.amount, 0),
        lineCount: 1,
      });
    }
    const byId = new Map(records.map((r) => [r.reservationId, r]));
    const slot = byId.get(ids.confirmed)!;
    expect(slot).toMatchObject({
      offeringKind: 'experience',
      vehicle: false,
      unitId: null,
      timeSlotId: b.slotId,
      startAt: b.slotStartsAt.toISOString(),
      quantity: 2,
      partySize: 2,
      days: null,
      unitPriceAmount: 10000,
      lineOriginalAmount: 20000,
      status: 'confirmed',
      paymentStatus: 'paid',
    });
    const lead = (b.slotStartsAt.getTime() - Date.parse(slot.createdAt as string)) / 60_000;
    expect(slot.leadTimeMinutes).toBe(Math.floor(lead));
    expect(Date.parse(slot.confirmedAt as string)).toBeGreaterThanOrEqual(Date.parse(slot.createdAt as string));
    expect(byId.get(ids.held)).toMatchObject({
      status: 'held',
      partySize: 3,
      confirmedAt: null,
      paymentStatus: 'none',
      paidAmount: 0,
    });
    const cancelled = byId.get(ids.cancelled)!;
    expect(['cancelled', 'refunded']).toContain(cancelled.status);
    expect(cancelled[`${cancelled.status as string}At`]).toEqual(expect.any(String));
    expect(cancelled.refundedAmount).toBe(10000); // inside the refund window: all of it back
    expect(byId.get(ids.refunded)).toMatchObject({ status: 'confirmed', refundedAmount: 2500, retainedAmount: 37500 });
    expect(byId.get(ids.vehicle)).toMatchObject({
      offeringKind: 'rental',
      vehicle: true,
      unitId: vehicleUnitId,
      days: 2,
      partySize: null,
      quantity: 1,
      status: 'confirmed',
    });
  });

  it('never carries the guest name, email, phone or user id', async () => {
    const res = await t.http.get(PATHS[0]).query({ from, to }).set(admin).set('Accept', 'application/x-ndjson').expect(200);
    for (const secret of [...Object.values(ANALYTICS_GUEST), 'ann', 'ben', 'eve@example.com']) {
      expect(res.text).not.toContain(secret);
    }
    for (const record of await pages(100)) {
      for (const key of Object.keys(record)) expect(key).not.toMatch(/guest|email|phone|name|user/i);
    }
  });

  it('walks the range in keyset pages exactly once, and the NDJSON stream is the pages', async () => {
    const all = await pages(1000);
    for (const limit of [1, 2, 3]) expect(await pages(limit)).toEqual(all);
    expect(await ndjson()).toEqual(all);
    const created = all.map((r) => Date.parse(r.createdAt as string));
    expect([...created].sort((x, y) => x - y)).toEqual(created);
  });

  it('misses and repeats nothing while bookings are made during the walk', async () => {
    const before = (await pages(1000)).map((r) => r.lineId);
    const farTo = new Date(Date.now() + 3_600_000).toISOString();
    const seen: string[] = [];
    const made: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http
        .get(PATHS[0])
        .query({ from, to: farTo, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(admin)
        .expect(200);
      seen.push(...(res.body.data as Rec[]).map((r) => r.lineId));
      cursor = res.body.nextCursor as string | null;
      if (made.length < 3) made.push(await b.hold(`walker-${made.length}`, 1));
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(before));
    // Made after the walk began, each later than everything read: the walk reaches them.
    expect(seen.length).toBe(before.length + made.length);
  });

  it('refuses a bad range or cursor with VALIDATION_FAILED', async () => {
    const bad = [
      { from: to, to: from },
      { from, to: from },
      { from: 'yesterday', to },
      { from, to: '2026-13-45' },
      { from, to, cursor: 'not-a-cursor!' },
      { from, to, cursor: Buffer.from('12.not-a-uuid').toString('base64url') },
      { from, to, limit: 0 },
      { from, to, limit: 1001 },
      { to },
    ];
    for (const query of bad) {
      const res = await t.http.get(PATHS[0]).query(query).set(admin);
      expect({ query, status: res.status, error: res.body.error }).toEqual({ query, status: 400, error: 'VALIDATION_FAILED' });
    }
    // A date alone is 00:00 UTC: this range is empty, and valid.
    const empty = await t.http.get(PATHS[0]).query({ from: '2001-01-01', to: '2001-01-02' }).set(admin).expect(200);
    expect(empty.body).toEqual({ data: [], nextCursor: null });
  });

  describe('who may read it', () => {
    const status = async (path: string, headers: Record<string, string>) =>
      (await t.http.get(path).query({ from, to, limit: 1 }).set(headers)).status;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    /** A token signed as the app's dev tokens are, with any `scope` claim (a string or not). */
    const withScopeClaim = (scope: unknown) =>
      jwt.sign({ sub: 'forecasting-client', token_use: 'access', scope }, t.config.JWT_SECRET, {
        algorithm: 'HS256',
        expiresIn: 3600,
        ...(t.config.JWT_ISSUER ? { issuer: t.config.JWT_ISSUER } : {}),
      });

    it.each(PATHS)('%s: an admin, or a machine token with the scope; not a customer, not another scope', async (path) => {
      expect(await status(path, admin)).toBe(200);
      expect(await status(path, bearer(b.token('forecasting-client', [], [SCOPE])))).toBe(200);
      expect(await status(path, bearer(b.token('forecasting-client', [], ['holdfast/other.read', SCOPE])))).toBe(200);
      expect(await status(path, bearer(withScopeClaim([SCOPE])))).toBe(200);
      expect(await status(path, bearer(b.token('forecasting-client')))).toBe(403);
      expect(await status(path, bearer(b.token('forecasting-client', [], ['holdfast/analytics.write'])))).toBe(403);
      expect(await status(path, bearer(b.token('ann')))).toBe(403);
      expect(await status(path, bearer(b.token('support-agent', ['support'])))).toBe(403);
      expect(await status(path, {})).toBe(401);
    });

    it('gives nothing for a junk scope claim: NUL inside, glued scopes, wrong types', async () => {
      for (const junk of [
        `${SCOPE}\u0000`,
        `\u0000${SCOPE}`,
        `${SCOPE}x`,
        `x${SCOPE}`,
        SCOPE.toUpperCase(),
        42,
        { SCOPE },
        [[SCOPE]],
      ]) {
        expect({ junk, status: await status(PATHS[0], bearer(withScopeClaim(junk))) }).toEqual({ junk, status: 403 });
      }
      // A scope list with junk beside the real scope still grants it.
      expect(await status(PATHS[0], bearer(withScopeClaim(`bad\u0000 ${SCOPE}`)))).toBe(200);
    });

    it("serves seed 002's /api path with the same records, as pages and as NDJSON", async () => {
      expect(await pages(2, PATHS[1])).toEqual(await pages(2, PATHS[0]));
      const machine = bearer(b.token('forecasting-client', [], [SCOPE]));
      expect(await ndjson(PATHS[1], machine)).toEqual(await ndjson(PATHS[0]));
    });
  });
});
