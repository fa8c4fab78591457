import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { CatalogService } from '../src/catalog/catalog.service';
import { buildOpenApiDocument } from '../src/swagger';
import { createTestApp, type TestApp } from './support/test-app';

const POLICY = {
  pickupTime: '10:00',
  returnTime: '09:00',
  timeZone: 'Europe/Paris',
  deposit: 50000,
  cancellationFee: 5000,
  freeCancellationHours: 48,
  lateFeePerHour: 2500,
  refuelFeePerPercent: 150,
  kmAllowancePerDay: 200,
  feePerExtraKm: 30,
};

const VAN = {
  kind: 'rental',
  vehicle: true,
  title: 'Cargo van',
  description: 'Per day.',
  currency: 'EUR',
  basePrice: 9900,
  rentalPolicy: POLICY,
};

/** Vehicle offerings (DESIGN.md section 12, issue 14 item 1): `vehicle` and `rentalPolicy` on the admin and public catalog. */
describe('catalog: vehicles and rental policies', () => {
  let t: TestApp;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = `Bearer ${t.token('fleet-admin', ['admin'])}`;
    user = `Bearer ${t.token('alice')}`;
  });
  afterAll(async () => t.close());

  const post = (body: object, token = admin) => t.http.post('/v1/admin/offerings').set('Authorization', token).send(body);
  const patch = (id: string, body: object, token = admin) =>
    t.http.patch(`/v1/admin/offerings/${id}`).set('Authorization', token).send(body);
  /** The distinct fields a 400 VALIDATION_FAILED names. */
  const invalidFields = (res: Response): string[] => {
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'VALIDATION_FAILED' });
    return [...new Set((res.body.details as { field: string }[]).map((d) => d.field))];
  };

  it('creates a vehicle rental with its policy, shown the same by the admin answer, the public catalog and getOfferings', async () => {
    const created = await post({ ...VAN, rentalPolicy: { ...POLICY, timeZone: 'europe/paris' } }).expect(201);
    expect(created.body).toMatchObject({ kind: 'rental', vehicle: true, rentalPolicy: POLICY });
    const shown = await t.http.get(`/v1/catalog/offerings/${created.body.id}`).expect(200);
    expect(shown.body).toMatchObject({ vehicle: true, rentalPolicy: POLICY, orderable: true });
    const listed = await t.http.get('/v1/catalog/offerings?kind=rental&limit=100').expect(200);
    expect(listed.body.offerings.find((o: { id: string }) => o.id === created.body.id)).toMatchObject({ rentalPolicy: POLICY });

    const stored = (await t.dataSource.query('SELECT vehicle, rental_policy FROM offerings WHERE id = $1', [
      created.body.id,
    ])) as {
      vehicle: boolean;
      rental_policy: unknown;
    }[];
    expect(stored).toEqual([{ vehicle: true, rental_policy: POLICY }]); // the zone in its canonical spelling

    const catalog = t.app.get(CatalogService);
    const read = (await catalog.getOfferings([created.body.id])).get(created.body.id);
    expect({ vehicle: read?.vehicle, rentalPolicy: read?.rentalPolicy }).toEqual({ vehicle: true, rentalPolicy: POLICY });
    expect((await catalog.getOffering(created.body.id))?.rentalPolicy).toEqual(POLICY);
  });

  it('defaults to not a vehicle and no policy; a carrier rental may carry a policy without being a vehicle', async () => {
    const plain = await post({ ...VAN, vehicle: undefined, rentalPolicy: undefined, title: 'Carrier' }).expect(201);
    expect(plain.body).toMatchObject({ vehicle: false, rentalPolicy: null });
    const withPolicy = await post({ ...VAN, vehicle: false, title: 'Carrier with hours' }).expect(201);
    expect(withPolicy.body).toMatchObject({ vehicle: false, rentalPolicy: POLICY });
  });

  it('refuses a vehicle that is not a rental, has no policy, or is external, each named', async () => {
    expect(invalidFields(await post({ ...VAN, kind: 'experience' }))).toEqual(['vehicle', 'rentalPolicy']);
    expect(invalidFields(await post({ ...VAN, kind: 'product', rentalPolicy: undefined }))).toEqual(['vehicle']);
    expect(invalidFields(await post({ ...VAN, rentalPolicy: undefined }))).toEqual(['rentalPolicy']);
    expect(invalidFields(await post({ ...VAN, rentalPolicy: null }))).toEqual(['rentalPolicy']);
    expect(invalidFields(await post({ ...VAN, inventorySource: 'external', externalItemId: 'VAN-1' }))).toEqual([
      'inventorySource',
    ]);
    expect(invalidFields(await post({ ...VAN, vehicle: 'yes' }))).toEqual(['vehicle']);
    expect(invalidFields(await post({ ...VAN, vehicle: null }))).toEqual(['vehicle']);
    const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM offerings WHERE kind <> 'rental' AND vehicle`)) as {
      n: number;
    }[];
    expect(n).toBe(0);
  });

  it('validates the policy: IANA zone, HH:MM times, non-negative bounded integers, every field, nothing more', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'rentalPolicy.timeZone'],
      [{ timeZone: '+01:00' }, 'rentalPolicy.timeZone'],
      [{ timeZone: 'Europe/Paris\u0000' }, 'rentalPolicy.timeZone'],
      [{ timeZone: 42 }, 'rentalPolicy.timeZone'],
      [{ pickupTime: '9:00' }, 'rentalPolicy.pickupTime'],
      [{ pickupTime: '24:00' }, 'rentalPolicy.pickupTime'],
      [{ returnTime: '08:60' }, 'rentalPolicy.returnTime'],
      [{ returnTime: '08:00:00' }, 'rentalPolicy.returnTime'],
      [{ returnTime: '10:30' }, 'rentalPolicy.returnTime'], // after the pickup time
      [{ deposit: -1 }, 'rentalPolicy.deposit'],
      [{ deposit: 100_000_000 }, 'rentalPolicy.deposit'],
      [{ cancellationFee: 10.5 }, 'rentalPolicy.cancellationFee'],
      [{ lateFeePerHour: '2500' }, 'rentalPolicy.lateFeePerHour'],
      [{ refuelFeePerPercent: -150 }, 'rentalPolicy.refuelFeePerPercent'],
      [{ feePerExtraKm: null }, 'rentalPolicy.feePerExtraKm'],
      [{ freeCancellationHours: 8761 }, 'rentalPolicy.freeCancellationHours'],
      [{ kmAllowancePerDay: -1 }, 'rentalPolicy.kmAllowancePerDay'],
      [{ kmAllowancePerDay: 10_001 }, 'rentalPolicy.kmAllowancePerDay'],
      [{ deposit: undefined }, 'rentalPolicy.deposit'],
      [{ fuelPolicy: 'full-to-full' }, 'rentalPolicy.fuelPolicy'],
    ];
    for (const [change, field] of cases) {
      const res = await post({ ...VAN, rentalPolicy: { ...POLICY, ...change } });
      expect({ change, fields: invalidFields(res) }).toEqual({ change, fields: [field] });
    }
    expect(invalidFields(await post({ ...VAN, rentalPolicy: 'strict' }))).toEqual(['rentalPolicy']);
    expect(invalidFields(await post({ ...VAN, rentalPolicy: [POLICY] }))).toEqual(['rentalPolicy']);
    // Zero is a valid amount (no deposit, free cancellation, no allowance charge); so is the largest.
    const zeros = Object.fromEntries(Object.entries(POLICY).map(([k, v]) => [k, typeof v === 'number' ? 0 : v]));
    await post({ ...VAN, title: 'Free van', rentalPolicy: zeros }).expect(201);
    await post({ ...VAN, title: 'Dear van', rentalPolicy: { ...POLICY, deposit: 99_999_999, returnTime: '10:00' } }).expect(201);
  });

  it('changes the policy whole, switches vehicle on and off, and refuses what a vehicle may not be', async () => {
    const van = (await post(VAN).expect(201)).body as { id: string };
    const changed = await patch(van.id, { rentalPolicy: { ...POLICY, deposit: 70000, timeZone: 'America/New_York' } }).expect(
      200,
    );
    expect(changed.body.rentalPolicy).toEqual({ ...POLICY, deposit: 70000, timeZone: 'America/New_York' });
    expect(invalidFields(await patch(van.id, { rentalPolicy: { deposit: 1 } }))).toContain('rentalPolicy.pickupTime');
    expect(invalidFields(await patch(van.id, { rentalPolicy: null }))).toEqual(['rentalPolicy']);
    expect(invalidFields(await patch(van.id, { inventorySource: 'external', externalItemId: 'VAN-9' }))).toEqual([
      'inventorySource',
    ]);
    expect(invalidFields(await patch(van.id, { rentalPolicy: { ...POLICY, timeZone: 'Nowhere/Land' } }))).toEqual([
      'rentalPolicy.timeZone',
    ]);
    // Not a vehicle any more: then its policy may go too.
    await patch(van.id, { vehicle: false }).expect(200);
    expect((await patch(van.id, { rentalPolicy: null }).expect(200)).body).toMatchObject({ vehicle: false, rentalPolicy: null });
    // A vehicle again needs a policy, in the same request.
    expect(invalidFields(await patch(van.id, { vehicle: true }))).toEqual(['rentalPolicy']);
    expect((await patch(van.id, { vehicle: true, rentalPolicy: POLICY }).expect(200)).body).toMatchObject({
      vehicle: true,
      rentalPolicy: POLICY,
    });

    const tour = (await post({ kind: 'experience', title: 'Tour', description: '', currency: 'EUR', basePrice: 100 }).expect(201))
      .body as { id: string };
    expect(invalidFields(await patch(tour.id, { vehicle: true, rentalPolicy: POLICY }))).toEqual(['vehicle', 'rentalPolicy']);
    expect(invalidFields(await patch(tour.id, { rentalPolicy: POLICY }))).toEqual(['rentalPolicy']);
    expect((await t.http.get(`/v1/catalog/offerings/${tour.id}`).expect(200)).body).toMatchObject({
      vehicle: false,
      rentalPolicy: null,
    });
  });

  it('records the policy in the audit log, and is for admins only', async () => {
    const van = (await post({ ...VAN, title: 'Audited van' }).expect(201)).body as { id: string };
    await patch(van.id, { rentalPolicy: { ...POLICY, lateFeePerHour: 3000 } }).expect(200);
    const audit = await t.http
      .get('/v1/admin/audit')
      .query({ recordType: 'offering', recordId: van.id })
      .set('Authorization', admin)
      .expect(200);
    const [update, create] = audit.body.entries as { action: string; before: { rentalPolicy: object }; after: object }[];
    expect(create).toMatchObject({ action: 'create', after: { vehicle: true, rentalPolicy: POLICY } });
    expect(update).toMatchObject({
      action: 'update',
      before: { rentalPolicy: POLICY },
      after: { rentalPolicy: { ...POLICY, lateFeePerHour: 3000 } },
    });
    expect((await post(VAN, user)).status).toBe(403);
    expect((await patch(van.id, { vehicle: false }, user)).status).toBe(403);
    expect((await t.http.post('/v1/admin/offerings').send(VAN)).status).toBe(401);
  });

  it('documents vehicle and rentalPolicy in Swagger', () => {
    const schemas = buildOpenApiDocument(t.app).components?.schemas as Record<
      string,
      { properties: Record<string, unknown>; required?: string[] }
    >;
    expect(Object.keys(schemas.OfferingDto.properties)).toEqual(expect.arrayContaining(['vehicle', 'rentalPolicy']));
    expect(Object.keys(schemas.CreateOfferingDto.properties)).toEqual(expect.arrayContaining(['vehicle', 'rentalPolicy']));
    expect(Object.keys(schemas.RentalPolicyDto.properties).sort()).toEqual(Object.keys(POLICY).sort());
    expect(schemas.RentalPolicyDto.required?.sort()).toEqual(Object.keys(POLICY).sort());
  });
});
