import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CatalogService, OFFERING_CACHE_TTL_MS } from '../src/catalog/catalog.service';
import { createTestApp, type TestApp } from './support/test-app';

const SEED_RULES = {
  groupDiscount: { minQuantity: 2, percentOff: 15, type: 'group_5_plus' },
  earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' },
};

const experience = {
  kind: 'experience',
  title: 'Sunset kayak tour',
  description: 'Two hours along the coast.',
  currency: 'EUR',
  basePrice: 10000,
  pricingRules: SEED_RULES,
  refundableUntilHours: 48,
  images: ['https://cdn.example.com/kayak-1.jpg'],
  attributes: { durationMinutes: 120, meetingPoint: 'Harbour gate 3' },
};

const OFFERING_KEYS = [
  'active',
  'attributes',
  'basePrice',
  'createdAt',
  'currency',
  'description',
  'externalItemId',
  'id',
  'images',
  'inventorySource',
  'kind',
  'orderable',
  'pricingRules',
  'refundableUntilHours',
  'rentalPolicy',
  'title',
  'unavailableReason',
  'updatedAt',
  'vehicle',
  'weightGrams',
];

interface Offering {
  id: string;
  title: string;
  kind: string;
  basePrice: number;
  active: boolean;
  orderable: boolean;
  pricingRules: Record<string, unknown>;
}

interface ErrorBody {
  error: string;
  message: string;
  details?: { field: string; message: string }[];
}

describe('catalog', () => {
  let t: TestApp;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = `Bearer ${t.token('admin-1', ['admin'])}`;
    user = `Bearer ${t.token('alice')}`;
  });
  afterAll(async () => t.close());

  async function create(body: object): Promise<Offering> {
    const res = await t.http.post('/v1/admin/offerings').set('Authorization', admin).send(body);
    expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 201 });
    return res.body as Offering;
  }

  async function createInvalid(body: object): Promise<ErrorBody> {
    const res = await t.http.post('/v1/admin/offerings').set('Authorization', admin).send(body).expect(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.any(String), details: expect.any(Array) });
    return res.body as ErrorBody;
  }

  /** The distinct fields an error names (a field breaking several rules is listed once per rule). */
  const fields = (body: ErrorBody): string[] => [...new Set((body.details ?? []).map((d) => d.field))];

  describe('admin create', () => {
    it("takes a product's weight and an external inventory source with the IMS item id", async () => {
      const base = { kind: 'product', title: 'Cat carrier', description: 'Soft.', currency: 'EUR', basePrice: 3900 };
      const res = await t.http
        .post('/v1/admin/offerings')
        .set('Authorization', admin)
        .send({ ...base, weightGrams: 1200, inventorySource: 'external', externalItemId: 'CARRIER-M-42' });
      expect(res.body).toMatchObject({ weightGrams: 1200, inventorySource: 'external', externalItemId: 'CARRIER-M-42' });
      expect(res.status).toBe(201);
      expect(fields(await createInvalid({ ...base, inventorySource: 'external' }))).toEqual(['externalItemId']);
      expect(
        fields(await createInvalid({ ...base, kind: 'experience', inventorySource: 'external', externalItemId: 'X1' })),
      ).toEqual(['inventorySource']);
      expect(fields(await createInvalid({ ...base, weightGrams: 0 }))).toEqual(['weightGrams']);
      expect(fields(await createInvalid({ ...base, inventorySource: 'ims' }))).toEqual(['inventorySource']);
      expect(fields(await createInvalid({ ...base, externalItemId: 'a b/../c' }))).toEqual(['externalItemId']);
      const patched = await t.http
        .patch(`/v1/admin/offerings/${res.body.id}`)
        .set('Authorization', admin)
        .send({ externalItemId: null })
        .expect(400);
      expect(patched.body.error).toBe('VALIDATION_FAILED');
    });

    it('creates an experience and answers 201 with the full offering', async () => {
      const res = await t.http.post('/v1/admin/offerings').set('Authorization', admin).send(experience).expect(201);
      expect(Object.keys(res.body as object).sort()).toEqual(OFFERING_KEYS);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind: 'experience',
        title: 'Sunset kayak tour',
        description: 'Two hours along the coast.',
        currency: 'EUR',
        basePrice: 10000,
        active: true,
        orderable: true,
        unavailableReason: null,
        weightGrams: null,
        inventorySource: 'internal',
        externalItemId: null,
        pricingRules: SEED_RULES,
        refundableUntilHours: 48,
        images: ['https://cdn.example.com/kayak-1.jpg'],
        attributes: { durationMinutes: 120, meetingPoint: 'Harbour gate 3' },
        vehicle: false,
        rentalPolicy: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const stored = (await t.dataSource.query('SELECT base_price_cents, pricing_rules FROM offerings WHERE id = $1', [
        (res.body as Offering).id,
      ])) as { base_price_cents: number; pricing_rules: unknown }[];
      expect(stored).toEqual([{ base_price_cents: 10000, pricing_rules: SEED_RULES }]);
    });

    it('creates a product with defaults and fixed-amount rules, mapping amountOff to minor units', async () => {
      const product = await create({
        kind: 'product',
        title: 'Baby carrier',
        description: '',
        currency: 'USD',
        basePrice: 8999,
        pricingRules: { groupDiscount: { minQuantity: 3, amountOff: 1500, type: 'bundle_3' } },
      });
      expect(product).toMatchObject({
        kind: 'product',
        basePrice: 8999,
        active: true,
        orderable: true,
        pricingRules: { groupDiscount: { minQuantity: 3, amountOff: 1500, type: 'bundle_3' } },
        refundableUntilHours: null,
        images: [],
        attributes: {},
      });
      const [row] = (await t.dataSource.query('SELECT pricing_rules FROM offerings WHERE id = $1', [product.id])) as {
        pricing_rules: unknown;
      }[];
      expect(row.pricing_rules).toEqual({ groupDiscount: { minQuantity: 3, amountOffCents: 1500, type: 'bundle_3' } });
    });

    it('creates a rental priced per day, and an inactive one that is not orderable', async () => {
      const rental = await create({
        kind: 'rental',
        title: 'Cargo van',
        description: 'Per day.',
        currency: 'GBP',
        basePrice: 4500,
        refundableUntilHours: null,
        pricingRules: { earlyBird: { minDaysBefore: 14, percentOff: 5, type: 'early_bird' } },
      });
      expect(rental).toMatchObject({ kind: 'rental', basePrice: 4500, refundableUntilHours: null, orderable: true });
      const inactive = await create({ ...experience, title: 'Closed for winter', active: false });
      expect(inactive).toMatchObject({ active: false, orderable: false });
    });

    it('refuses a user without the admin role (403) and a request without a token (401)', async () => {
      const forbidden = await t.http.post('/v1/admin/offerings').set('Authorization', user).send(experience).expect(403);
      expect(forbidden.body).toMatchObject({ error: 'FORBIDDEN' });
      const anonymous = await t.http.post('/v1/admin/offerings').send(experience).expect(401);
      expect(anonymous.body).toMatchObject({ error: 'UNAUTHORIZED' });
      const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM offerings WHERE title = $1`, [
        experience.title,
      ])) as { count: number }[];
      expect(count).toBe(1); // only the admin's
    });

    it('replays a create sent twice with the same X-Idempotency-Key', async () => {
      const key = randomUUID();
      const body = { ...experience, title: 'Idempotent tour' };
      const first = await t.http.post('/v1/admin/offerings').set('Authorization', admin).set('X-Idempotency-Key', key).send(body);
      expect(first.status).toBe(201);
      const second = await t.http
        .post('/v1/admin/offerings')
        .set('Authorization', admin)
        .set('X-Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect((second.body as Offering).id).toBe((first.body as Offering).id);
    });
  });

  describe('validation', () => {
    it('refuses an unknown kind', async () => {
      expect(fields(await createInvalid({ ...experience, kind: 'voucher' }))).toEqual(['kind']);
    });

    it('refuses a negative, fractional or huge price', async () => {
      expect(fields(await createInvalid({ ...experience, basePrice: -1 }))).toEqual(['basePrice']);
      expect(fields(await createInvalid({ ...experience, basePrice: 10.5 }))).toEqual(['basePrice']);
      expect(fields(await createInvalid({ ...experience, basePrice: 100_000_001 }))).toEqual(['basePrice']);
    });

    it('refuses a lower-case currency', async () => {
      const body = await createInvalid({ ...experience, currency: 'usd' });
      expect(body.details).toEqual([{ field: 'currency', message: expect.stringContaining('upper-case') }]);
    });

    it('refuses a discount with both percentOff and amountOff, or with neither', async () => {
      const both = await createInvalid({
        ...experience,
        pricingRules: { groupDiscount: { minQuantity: 2, percentOff: 10, amountOff: 500, type: 'g' } },
      });
      expect(both.details).toEqual([
        { field: 'pricingRules.groupDiscount', message: 'groupDiscount must have exactly one of percentOff or amountOff' },
      ]);
      const neither = await createInvalid({ ...experience, pricingRules: { earlyBird: { minDaysBefore: 3, type: 'e' } } });
      expect(fields(neither)).toEqual(['pricingRules.earlyBird']);
    });

    it('checks the rules themselves: ranges, integer amounts, unknown nested fields', async () => {
      const body = await createInvalid({
        ...experience,
        pricingRules: {
          groupDiscount: { minQuantity: 1, percentOff: 150, type: 'Group 5+' },
          earlyBird: { minDaysBefore: 0, amountOff: 0.5, type: 'e', stackable: true },
        },
      });
      expect(fields(body).sort()).toEqual(
        expect.arrayContaining([
          'pricingRules.earlyBird.amountOff',
          'pricingRules.earlyBird.minDaysBefore',
          'pricingRules.earlyBird.stackable',
          'pricingRules.groupDiscount.minQuantity',
          'pricingRules.groupDiscount.percentOff',
          'pricingRules.groupDiscount.type',
        ]),
      );
      expect(
        fields(
          await createInvalid({ ...experience, pricingRules: { groupDiscount: { minQuantity: 2, percentOff: 0, type: 'g' } } }),
        ),
      ).toEqual(['pricingRules.groupDiscount.percentOff']);
    });

    it('refuses an unknown field, and names every bad field at once', async () => {
      expect((await createInvalid({ ...experience, featured: true })).details).toEqual([
        { field: 'featured', message: 'property featured should not exist' },
      ]);
      const body = await createInvalid({
        kind: 'experience',
        title: '',
        currency: 'EURO',
        basePrice: '100',
        images: ['not a url'],
        refundableUntilHours: -1,
        attributes: [1, 2],
      });
      expect(new Set(fields(body))).toEqual(
        new Set(['title', 'description', 'currency', 'basePrice', 'images', 'refundableUntilHours', 'attributes']),
      );
    });

    it('refuses more than 20 images', async () => {
      const images = Array.from({ length: 21 }, (_, i) => `https://cdn.example.com/${i}.jpg`);
      expect(fields(await createInvalid({ ...experience, images }))).toEqual(['images']);
    });
  });

  describe('admin update', () => {
    let offering: Offering;
    beforeAll(async () => {
      offering = await create({ ...experience, title: 'Patch me' });
    });

    it('changes price and pricing rules, and the next GET shows them', async () => {
      const rules = { earlyBird: { minDaysBefore: 3, amountOff: 700, type: 'early_flat' } };
      const res = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ basePrice: 12500, pricingRules: rules })
        .expect(200);
      expect(res.body).toMatchObject({
        id: offering.id,
        basePrice: 12500,
        pricingRules: rules,
        title: 'Patch me',
        kind: 'experience',
      });
      const got = await t.http.get(`/v1/catalog/offerings/${offering.id}`).expect(200);
      expect(got.body).toMatchObject({ basePrice: 12500, pricingRules: rules, refundableUntilHours: 48 });
    });

    it('keeps fields that are not sent, clears rules with {}, and sets refundableUntilHours to null', async () => {
      const res = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ pricingRules: {}, refundableUntilHours: null })
        .expect(200);
      expect(res.body).toMatchObject({ basePrice: 12500, pricingRules: {}, refundableUntilHours: null, title: 'Patch me' });
    });

    it('deactivates: orderable becomes false', async () => {
      const res = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ active: false })
        .expect(200);
      expect(res.body).toMatchObject({ active: false, orderable: false });
      const got = await t.http.get(`/v1/catalog/offerings/${offering.id}`).expect(200);
      expect(got.body).toMatchObject({ active: false, orderable: false });
    });

    it('refuses to change kind, and refuses null for a required field', async () => {
      const kind = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ kind: 'rental' })
        .expect(400);
      expect(kind.body).toMatchObject({
        error: 'VALIDATION_FAILED',
        details: [{ field: 'kind', message: 'property kind should not exist' }],
      });
      const title = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ title: null })
        .expect(400);
      expect(fields(title.body as ErrorBody)).toEqual(['title']);
      const rules = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ pricingRules: { groupDiscount: { minQuantity: 2, type: 'g' } } })
        .expect(400);
      expect(fields(rules.body as ErrorBody)).toEqual(['pricingRules.groupDiscount']);
      for (const body of [
        { active: null },
        { images: null },
        { attributes: null },
        { pricingRules: null },
        { basePrice: null },
      ]) {
        const res = await t.http.patch(`/v1/admin/offerings/${offering.id}`).set('Authorization', admin).send(body).expect(400);
        expect(fields(res.body as ErrorBody)).toEqual(Object.keys(body));
      }
      const nullPercent = await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ pricingRules: { groupDiscount: { minQuantity: 2, percentOff: null, amountOff: 100, type: 'g' } } })
        .expect(400);
      expect(fields(nullPercent.body as ErrorBody)).toContain('pricingRules.groupDiscount.percentOff');
    });

    it('answers 404 NOT_FOUND for an unknown or malformed id, and 403 for a non-admin', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const res = await t.http
          .patch(`/v1/admin/offerings/${id}`)
          .set('Authorization', admin)
          .send({ basePrice: 1 })
          .expect(404);
        expect(res.body).toMatchObject({ error: 'NOT_FOUND', message: 'Offering not found' });
      }
      await t.http.patch(`/v1/admin/offerings/${offering.id}`).set('Authorization', user).send({ basePrice: 1 }).expect(403);
      await t.http.patch(`/v1/admin/offerings/${offering.id}`).send({ basePrice: 1 }).expect(401);
    });
  });

  describe('public browse', () => {
    const tag = `zq${Date.now().toString(36)}`;
    const created: Record<string, Offering> = {};
    beforeAll(async () => {
      // 3 experiences, 2 products, 1 rental, 1 inactive experience: all titled with the tag.
      const specs = [
        ['exp1', 'experience', true],
        ['exp2', 'experience', true],
        ['exp3', 'experience', true],
        ['prod1', 'product', true],
        ['prod2', 'product', true],
        ['rent1', 'rental', true],
        ['hidden', 'experience', false],
      ] as const;
      for (const [name, kind, active] of specs) {
        created[name] = await create({ ...experience, kind, active, title: `${tag} ${name} Tour` });
      }
    });

    const list = async (query: Record<string, string | number>) => {
      const res = await t.http.get('/v1/catalog/offerings').query(query).expect(200);
      return res.body as {
        offerings: Offering[];
        pagination: { total: number; limit: number; offset: number; hasMore: boolean };
      };
    };

    it('needs no token, and answers with offerings and pagination', async () => {
      const body = await list({ q: tag });
      expect(Object.keys(body).sort()).toEqual(['offerings', 'pagination']);
      expect(body.pagination).toEqual({ total: 6, limit: 20, offset: 0, hasMore: false });
      expect(Object.keys(body.offerings[0]).sort()).toEqual(OFFERING_KEYS);
    });

    it('hides inactive offerings', async () => {
      const body = await list({ q: tag });
      expect(body.offerings.map((o) => o.id)).not.toContain(created.hidden.id);
      expect(body.offerings.every((o) => o.active && o.orderable)).toBe(true);
    });

    it('filters by kind', async () => {
      const products = await list({ q: tag, kind: 'product' });
      expect(products.offerings.map((o) => o.id).sort()).toEqual([created.prod1.id, created.prod2.id].sort());
      expect(products.pagination.total).toBe(2);
      const rentals = await list({ q: tag, kind: 'rental' });
      expect(rentals.offerings.map((o) => o.id)).toEqual([created.rent1.id]);
    });

    it('searches titles case-insensitively, taking % and _ literally', async () => {
      const body = await list({ q: `${tag.toUpperCase()} PROD2` });
      expect(body.offerings.map((o) => o.id)).toEqual([created.prod2.id]);
      expect((await list({ q: `${tag}%` })).pagination.total).toBe(0);
      expect((await list({ q: `${tag}_exp1` })).pagination.total).toBe(0);
      expect((await list({ q: 'no such title anywhere' })).offerings).toEqual([]);
    });

    it('paginates with a correct total and hasMore, without overlaps', async () => {
      const pages = [await list({ q: tag, limit: 4, offset: 0 }), await list({ q: tag, limit: 4, offset: 4 })];
      expect(pages[0].pagination).toEqual({ total: 6, limit: 4, offset: 0, hasMore: true });
      expect(pages[1].pagination).toEqual({ total: 6, limit: 4, offset: 4, hasMore: false });
      expect(pages[0].offerings).toHaveLength(4);
      expect(pages[1].offerings).toHaveLength(2);
      const ids = [...pages[0].offerings, ...pages[1].offerings].map((o) => o.id);
      expect(new Set(ids).size).toBe(6);
      const beyond = await list({ q: tag, limit: 4, offset: 8 });
      expect(beyond).toEqual({ offerings: [], pagination: { total: 6, limit: 4, offset: 8, hasMore: false } });
      const exact = await list({ q: tag, kind: 'experience', limit: 3 });
      expect(exact.pagination).toEqual({ total: 3, limit: 3, offset: 0, hasMore: false });
    });

    it('refuses bad query parameters with VALIDATION_FAILED', async () => {
      for (const query of [
        { limit: 0 },
        { limit: 101 },
        { limit: 'ten' },
        { offset: -1 },
        { kind: 'voucher' },
        { q: 'x'.repeat(101) },
        { sort: 'title' },
      ]) {
        const res = await t.http.get('/v1/catalog/offerings').query(query).expect(400);
        expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED' });
        expect(fields(res.body as ErrorBody)).toEqual(Object.keys(query));
      }
    });

    it('gets one offering by id, inactive ones too; 404 NOT_FOUND for unknown and malformed ids', async () => {
      const got = await t.http.get(`/v1/catalog/offerings/${created.exp1.id}`).expect(200);
      expect(got.body).toMatchObject({ id: created.exp1.id, pricingRules: SEED_RULES, orderable: true });
      const hidden = await t.http.get(`/v1/catalog/offerings/${created.hidden.id}`).expect(200);
      expect(hidden.body).toMatchObject({ active: false, orderable: false });
      for (const id of [randomUUID(), 'not-a-uuid', '1 OR 1=1']) {
        const res = await t.http.get(`/v1/catalog/offerings/${encodeURIComponent(id)}`).expect(404);
        expect(res.body).toEqual({ error: 'NOT_FOUND', message: 'Offering not found', requestId: expect.any(String) });
      }
    });
  });

  describe('CatalogService.getOffering (the hold path)', () => {
    it('serves from its cache, and shows a PATCH in this process at once', async () => {
      const catalog = t.app.get(CatalogService);
      const offering = await create({ ...experience, title: 'Cached tour', basePrice: 5000 });
      expect(await catalog.getOffering(offering.id)).toMatchObject({ id: offering.id, basePriceCents: 5000, kind: 'experience' });

      // A change behind the service's back is not seen while the entry is fresh: proof of the cache.
      await t.dataSource.query('UPDATE offerings SET base_price_cents = 6000 WHERE id = $1', [offering.id]);
      expect((await catalog.getOffering(offering.id))?.basePriceCents).toBe(5000);

      await t.http
        .patch(`/v1/admin/offerings/${offering.id}`)
        .set('Authorization', admin)
        .send({ basePrice: 7000, pricingRules: { groupDiscount: { minQuantity: 4, percentOff: 20, type: 'group_4_plus' } } })
        .expect(200);
      const fresh = await catalog.getOffering(offering.id);
      expect(fresh).toMatchObject({
        basePriceCents: 7000,
        pricingRules: { groupDiscount: { minQuantity: 4, percentOff: 20, type: 'group_4_plus' } },
      });
      expect(Object.isFrozen(fresh)).toBe(true);
    });

    it('serves a cached entry for at most OFFERING_CACHE_TTL_MS, then reads the database again', async () => {
      const catalog = t.app.get(CatalogService);
      const offering = await create({ ...experience, title: 'Expiring tour', basePrice: 5000 });
      const start = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
      try {
        expect((await catalog.getOffering(offering.id))?.basePriceCents).toBe(5000);
        // Changed elsewhere (another replica, or by hand): not seen while the entry is fresh ...
        await t.dataSource.query('UPDATE offerings SET base_price_cents = 6000 WHERE id = $1', [offering.id]);
        clock.mockReturnValue(start + OFFERING_CACHE_TTL_MS - 1);
        expect((await catalog.getOffering(offering.id))?.basePriceCents).toBe(5000);
        // ... and seen once it is OFFERING_CACHE_TTL_MS old.
        clock.mockReturnValue(start + OFFERING_CACHE_TTL_MS);
        expect((await catalog.getOffering(offering.id))?.basePriceCents).toBe(6000);
      } finally {
        clock.mockRestore();
      }
      expect(OFFERING_CACHE_TTL_MS).toBe(5000);
    });

    it('gives null for unknown and malformed ids', async () => {
      const catalog = t.app.get(CatalogService);
      expect(await catalog.getOffering(randomUUID())).toBeNull();
      expect(await catalog.getOffering('not-a-uuid')).toBeNull();
    });
  });
});
