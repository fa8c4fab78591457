import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import type { ErrorCode } from '@holdfast/errors';
import { CustomersService } from '../src/payments/customers.service';
import { PAYMENT_GATEWAY, type PaymentGateway } from '../src/payments/payment-gateway';
import { createOffering, createSlot, createUnit, VEHICLE_POLICY } from './factories/inventory.factory';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

/**
 * The authorisation suite (issue 5): every operation of the OpenAPI document the app
 * serves at /docs-json is called without a token, with an expired one and with a forged
 * one (401 unless public), as a plain user on admin routes (403), and, for a user's own
 * resources, with another user's token (404, never the resource). The operations are
 * listed below by hand, and the first test fails when /docs-json and the list differ:
 * a new route cannot ship without someone deciding here who may call it. Routes served
 * but kept out of the document (`@ApiExcludeEndpoint`) must be listed in UNDOCUMENTED.
 */

type Resource = 'reservation' | 'paymentMethod' | 'paymentIntent' | 'setupIntent';

/** User A's resources, made through the API before the checks run. */
interface Owned {
  /** A hold (status `held`). */
  hold: string;
  /** A second hold, converted: `pending` with a PaymentIntent. */
  pending: string;
  paymentIntent: string;
  /** A saved card (our uuid). */
  card: string;
  /** A SetupIntent of A's provider customer, awaiting a card (as the rentals' convert makes them). */
  setupIntent: string;
}

/** What else a foreign check may name: B's own hold, and a vehicle offering anyone may book. */
interface Context {
  hold: string;
  van: string;
}

/** How user B tries to reach user A's resource through an operation, and the 404 B must get. */
type Foreign =
  | { via: 'path'; resource: Resource; error: ErrorCode; body?: object }
  | { via: 'body'; body: (a: Owned, b: Context) => object; error: ErrorCode }
  | { via: 'list'; resource: 'reservation' | 'paymentMethod' };

interface Expectation {
  /** public: no token needed (OpenAPI security `[{}]`); user: any signed-in user; admin: the admin role. */
  access: 'public' | 'user' | 'admin';
  foreign?: Foreign[];
}

const RESERVATION_BY_ID: Foreign[] = [{ via: 'path', resource: 'reservation', error: 'RESERVATION_NOT_FOUND' }];
const ADDRESS = {
  name: 'Ann Example',
  line1: '1 Main St',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  country: 'US',
};
const CARD_BY_ID: Foreign[] = [{ via: 'path', resource: 'paymentMethod', error: 'PAYMENT_METHOD_NOT_FOUND' }];

/** Every operation the API documents, and who may call it. Add a route: add it here. */
const EXPECTED: Record<string, Expectation> = {
  'GET /health/live': { access: 'public' },
  'GET /health/ready': { access: 'public' },
  'POST /v1/dev/token': { access: 'public' },
  'GET /v1/catalog/offerings': { access: 'public' },
  'GET /v1/catalog/offerings/{id}': { access: 'public' },
  'GET /v1/catalog/offerings/{id}/availability': { access: 'public' },
  // Authenticated by its Stripe-Signature instead (checked in test/webhooks and test/protection).
  'POST /v1/webhooks/stripe': { access: 'public' },
  // Authenticated by its X-Fleet-Signature instead (checked in test/fleet-webhook.e2e-spec.ts).
  'POST /v1/integrations/fleet/events': { access: 'public' },

  'POST /v1/reservations/hold': { access: 'user' },
  'POST /v1/reservations/hold/convert': {
    access: 'user',
    foreign: [
      { via: 'body', body: (a) => ({ holdId: a.hold }), error: 'RESERVATION_NOT_FOUND' },
      // B's own hold, paid with A's saved card.
      { via: 'body', body: (a, b) => ({ holdId: b.hold, paymentMethodId: a.card }), error: 'PAYMENT_METHOD_NOT_FOUND' },
    ],
  },
  'POST /v1/reservations/confirm': {
    access: 'user',
    foreign: [
      {
        via: 'body',
        body: (a) => ({ reservationId: a.pending, paymentIntentId: a.paymentIntent }),
        error: 'RESERVATION_NOT_FOUND',
      },
    ],
  },
  'GET /v1/reservations': { access: 'user', foreign: [{ via: 'list', resource: 'reservation' }] },
  'GET /v1/reservations/{id}': { access: 'user', foreign: RESERVATION_BY_ID },
  'GET /v1/rentals/{id}': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /v1/rentals/{id}/unlock': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /v1/rentals/{id}/return': { access: 'user', foreign: RESERVATION_BY_ID },
  'GET /v1/reservations/{id}/payment-status': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /v1/reservations/{id}/cancel': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /v1/reservations/{id}/shipping-rates': {
    access: 'user',
    foreign: [{ via: 'path', resource: 'reservation', error: 'RESERVATION_NOT_FOUND', body: { address: ADDRESS } }],
  },
  'PUT /v1/reservations/{id}/shipping': {
    access: 'user',
    foreign: [
      {
        via: 'path',
        resource: 'reservation',
        error: 'RESERVATION_NOT_FOUND',
        body: { address: ADDRESS, rateId: '00000000-0000-4000-8000-000000000000' },
      },
    ],
  },

  // Seed 002's own paths (not under /v1): the same services as their /v1 counterparts.
  'POST /api/reservations': {
    access: 'user',
    foreign: [
      // B booking a vehicle with A's saved card.
      {
        via: 'body',
        body: (a, b) => ({
          offeringId: b.van,
          startDate: '2099-06-01',
          endDate: '2099-06-03',
          paymentMethodId: a.card,
          guestName: 'Guest',
          guestEmail: 'guest@example.com',
        }),
        error: 'PAYMENT_METHOD_NOT_FOUND',
      },
    ],
  },
  'GET /api/reservations/{id}': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /api/rentals/{id}/unlock': { access: 'user', foreign: RESERVATION_BY_ID },
  'POST /api/rentals/{id}/return': { access: 'user', foreign: RESERVATION_BY_ID },

  'GET /v1/payments/methods': { access: 'user', foreign: [{ via: 'list', resource: 'paymentMethod' }] },
  'POST /v1/payments/methods': { access: 'user' },
  'DELETE /v1/payments/methods/{id}': { access: 'user', foreign: CARD_BY_ID },
  'PUT /v1/payments/methods/{id}/default': { access: 'user', foreign: CARD_BY_ID },

  'POST /v1/dev/payments/{paymentIntentId}/confirm': {
    access: 'user',
    foreign: [{ via: 'path', resource: 'paymentIntent', error: 'NOT_FOUND', body: { paymentMethod: 'pm_card_visa' } }],
  },
  'POST /v1/dev/payments/{paymentIntentId}/authenticate': {
    access: 'user',
    foreign: [{ via: 'path', resource: 'paymentIntent', error: 'NOT_FOUND', body: { result: 'success' } }],
  },
  'POST /v1/dev/payments/setup-intents/{setupIntentId}/confirm': {
    access: 'user',
    foreign: [{ via: 'path', resource: 'setupIntent', error: 'NOT_FOUND', body: { paymentMethod: 'pm_card_visa' } }],
  },
  'POST /v1/dev/payments/setup-intents/{setupIntentId}/authenticate': {
    access: 'user',
    foreign: [{ via: 'path', resource: 'setupIntent', error: 'NOT_FOUND', body: { result: 'success' } }],
  },
  // One user's emails never reach another: test/notifications.e2e-spec.ts.
  'GET /v1/dev/emails': { access: 'user' },
  // The caller's own verification (`me`): no id to reach another's; test/customers.e2e-spec.ts checks users apart.
  'GET /v1/customers/me/verification': { access: 'user' },

  'POST /v1/admin/offerings': { access: 'admin' },
  'PATCH /v1/admin/offerings/{id}': { access: 'admin' },
  'POST /v1/admin/offerings/{id}/time-slots': { access: 'admin' },
  'PATCH /v1/admin/time-slots/{id}': { access: 'admin' },
  'PUT /v1/admin/offerings/{id}/stock': { access: 'admin' },
  'POST /v1/admin/offerings/{id}/units': { access: 'admin' },
  'GET /v1/admin/offerings/{id}/units': { access: 'admin' },
  'PUT /v1/admin/rental-units/{unitId}/fleet-status': { access: 'admin' },
  'POST /v1/admin/payments/{paymentId}/refunds': { access: 'admin' },
  'GET /v1/admin/payments/stuck': { access: 'admin' },
  'GET /v1/admin/reservations': { access: 'admin' },
  'POST /v1/admin/rentals/{id}/verification': { access: 'admin' },
  'PUT /v1/admin/rentals/{id}/fines/{kind}': { access: 'admin' },
  'POST /v1/admin/reservations/{id}/shipments': { access: 'admin' },
  'GET /v1/admin/invariants': { access: 'admin' },
  'GET /v1/admin/jobs': { access: 'admin' },
  // Admins, or a machine client whose token carries holdfast/analytics.read (test/analytics.e2e-spec.ts covers the scope).
  'GET /v1/bookings/analytics': { access: 'admin' },
  'GET /api/bookings/analytics': { access: 'admin' },
  'POST /v1/admin/analytics/exports': { access: 'admin' },
  'POST /v1/admin/jobs/{id}/retry': { access: 'admin' },
  'GET /v1/admin/audit': { access: 'admin' },
  'GET /v1/admin/flags': { access: 'admin' },
  'PUT /v1/admin/flags/{key}': { access: 'admin' },
  'GET /v1/admin/support-cases': { access: 'admin' },
  'POST /v1/admin/support-cases/{id}/resolve': { access: 'admin' },
  'POST /graphql': { access: 'admin' }, // the admin GraphQL API: every query and mutation needs the admin role
  'GET /v1/admin/events': { access: 'admin' },
  'GET /v1/admin/fleet/events': { access: 'admin' },
  'GET /v1/admin/integrations': { access: 'admin' },
};

/**
 * Routes the app serves but does not document, each with why and what an anonymous caller
 * gets. Swagger UI's own routes (/docs...) are left out.
 */
const UNDOCUMENTED: Record<string, { why: string; anonymous: number }> = {
  // Prometheus scrapes it with its own bearer token (METRICS_TOKEN; unset: 404). test/metrics covers it.
  'GET /metrics': { why: 'Prometheus scrape, METRICS_TOKEN', anonymous: 404 },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface DocumentedOperation {
  key: string;
  method: (typeof HTTP_METHODS)[number];
  path: string;
  isPublic: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], { security?: Record<string, string[]>[] }>>>;
}

function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      method,
      path,
      isPublic: item[method]!.security?.some((requirement) => Object.keys(requirement).length === 0) ?? false,
    })),
  );
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * Every route Express serves, as `METHOD /path/{param}`: Nest registers each controller
 * route as a route of one method (middleware bindings carry them all, and are skipped).
 */
function servedRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes = express.router.stack.flatMap(({ route }) => {
    const methods = Object.keys(route?.methods ?? {});
    if (!route || methods.length !== 1 || route.path.startsWith('/docs')) return [];
    const path = route.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}');
    return [`${methods[0].toUpperCase()} ${path}`];
  });
  return [...new Set(routes)].sort();
}

/** The path with every `{param}` filled with `id`, or with a random uuid. */
function fill(path: string, id?: string): string {
  return path.replace(/\{[^}]+\}/g, () => id ?? randomUUID());
}

/** A token like the app's dev tokens, for `sub`, that expired a minute ago. */
function expiredToken(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ sub, token_use: 'access', 'cognito:groups': [], iat: now - 3600, exp: now - 60 }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
  });
}

/** A well-formed, unexpired token signed with a secret the app does not know. */
function forgedToken(sub: string): string {
  return jwt.sign({ sub, token_use: 'access', 'cognito:groups': ['admin'] }, 'not-the-holdfast-secret-at-all', {
    algorithm: 'HS256',
    expiresIn: 3600,
  });
}

/** What a check saw, in one object, so a failure names the operation. */
function seen(key: string, res: Response) {
  return { operation: key, status: res.status, error: (res.body as { error?: string }).error };
}

describe('authorisation of every documented operation', () => {
  let t: TestApp;
  let operations: DocumentedOperation[];
  let owned: Owned;
  let bHold: string;
  let van: string;
  const A = 'authz-user-a';
  const B = 'authz-user-b';

  /** Calls an operation with a fresh idempotency key (POSTs need one before they get far). */
  const call = (method: DocumentedOperation['method'], url: string, token?: string, body: object = {}) => {
    let req = t.http[method](url).set('X-Idempotency-Key', randomUUID());
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    return method === 'get' || method === 'delete' ? req : req.send(body);
  };

  const holdAs = async (user: string, slotId: string, offeringId: string): Promise<string> => {
    const res = await call('post', '/v1/reservations/hold', t.token(user), {
      experienceId: offeringId,
      timeSlotId: slotId,
      numberOfGuests: 1,
      guestName: 'Guest',
      guestEmail: 'guest@example.com',
    });
    expect(res.status).toBe(200);
    return (res.body as { reservation: { id: string } }).reservation.id;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    const docs = await t.http.get('/docs-json').expect(200);
    operations = documentedOperations(docs.body as OpenApiDocument);

    const offering = await createOffering(t.dataSource);
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 10 });
    const hold = await holdAs(A, slot.id, offering.id);
    const pending = await holdAs(A, slot.id, offering.id);
    bHold = await holdAs(B, slot.id, offering.id);
    van = (await createOffering(t.dataSource, { kind: 'rental', vehicle: true, rentalPolicy: VEHICLE_POLICY })).id;
    await createUnit(t.dataSource, van, 'Van 1');
    const converted = await call('post', '/v1/reservations/hold/convert', t.token(A), { holdId: pending }).expect(200);
    const paymentIntent = (converted.body as { reservation: { paymentIntentId: string } }).reservation.paymentIntentId;
    const saved = await call('post', '/v1/payments/methods', t.token(A), { paymentMethodId: 'pm_card_visa' }).expect(200);
    // No route makes a SetupIntent yet (the rentals' convert will): through the gateway, for A's customer.
    const customerId = await t.app.get(CustomersService).find(A);
    const setup = await (t.app.get(PAYMENT_GATEWAY) as PaymentGateway).createSetupIntent({
      setupId: randomUUID(),
      customerId: customerId!,
      metadata: {},
    });
    owned = { hold, pending, paymentIntent, card: (saved.body as { data: { id: string } }).data.id, setupIntent: setup.id };
    expect(paymentIntent).toEqual(expect.stringMatching(/^pi_/));
  });
  afterAll(async () => t.close());

  it('covers exactly the operations /docs-json documents (a new route must be added to the table)', () => {
    expect(operations.map((op) => op.key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('knows every route the app serves: documented, or listed as undocumented with a reason', async () => {
    const documented = new Set(operations.map((op) => op.key));
    const served = servedRoutes(t);
    expect(served).toEqual(expect.arrayContaining([...documented]));
    expect(served.filter((route) => !documented.has(route))).toEqual(Object.keys(UNDOCUMENTED).sort());
    for (const [route, { anonymous }] of Object.entries(UNDOCUMENTED)) {
      const [method, path] = route.split(' ');
      const res = await call(method.toLowerCase() as DocumentedOperation['method'], path);
      expect({ route, status: res.status }).toEqual({ route, status: anonymous });
    }
  });

  it('agrees with the document on which operations are public, and has every /v1/admin route and /graphql need the admin role', () => {
    // Outside /v1/admin, the routes for admins or a machine client's scope (@Roles('admin') + @Scopes(...)).
    const adminOrScope = ['GET /v1/bookings/analytics', 'GET /api/bookings/analytics'];
    for (const op of operations) {
      const admin = op.path.startsWith('/v1/admin') || op.path === '/graphql' || adminOrScope.includes(op.key);
      const documented = op.isPublic ? 'public' : admin ? 'admin' : 'user';
      expect({ operation: op.key, access: EXPECTED[op.key]?.access }).toEqual({ operation: op.key, access: documented });
    }
  });

  it('answers 401 UNAUTHORIZED without a token, with an expired token and with a forged one, unless public', async () => {
    for (const op of operations) {
      const url = fill(op.path);
      for (const token of [undefined, expiredToken(A), forgedToken(A)]) {
        const res = await call(op.method, url, token);
        if (op.isPublic) {
          // Public means public: a stale token in the app must not lock a user out of browsing.
          const saw = seen(op.key, res);
          expect({ ...saw, refused: res.status === 401 || res.status >= 500 }).toEqual({ ...saw, refused: false });
        } else {
          expect(seen(op.key, res)).toEqual({ operation: op.key, status: 401, error: 'UNAUTHORIZED' });
        }
      }
    }
  });

  it('lets a valid token of the right role past authorisation on every protected operation', async () => {
    // Random ids and empty bodies: the answers are 400s and 404s, never 401 or 403.
    for (const op of operations.filter((o) => !o.isPublic)) {
      const token = EXPECTED[op.key]?.access === 'admin' ? t.token('authz-admin', ['admin']) : t.token('authz-user-c');
      const res = await call(op.method, fill(op.path), token);
      const saw = seen(op.key, res);
      expect({ ...saw, refused: res.status === 401 || res.status === 403 || res.status >= 500 }).toEqual({
        ...saw,
        refused: false,
      });
    }
  });

  it('answers 403 FORBIDDEN to a signed-in user without the admin role on every admin operation', async () => {
    const admin = operations.filter((op) => EXPECTED[op.key]?.access === 'admin');
    expect(admin.length).toBeGreaterThan(0);
    for (const op of admin) {
      const res = await call(op.method, fill(op.path), t.token(A, ['staff']));
      expect(seen(op.key, res)).toEqual({ operation: op.key, status: 403, error: 'FORBIDDEN' });
    }
  });

  it("answers 404 to another user reaching for a user's own reservation, card or payment, and never shows it", async () => {
    const idOf: Record<Resource, string> = {
      reservation: owned.hold,
      paymentMethod: owned.card,
      paymentIntent: owned.paymentIntent,
      setupIntent: owned.setupIntent,
    };
    const ownedIds = Object.values(owned);
    let checks = 0;
    for (const op of operations) {
      for (const foreign of EXPECTED[op.key]?.foreign ?? []) {
        checks++;
        if (foreign.via === 'list') {
          const res = await call(op.method, op.path, t.token(B)).expect(200);
          expect({ operation: op.key, leaked: ownedIds.filter((id) => JSON.stringify(res.body).includes(id)) }).toEqual({
            operation: op.key,
            leaked: [],
          });
          continue;
        }
        const res =
          foreign.via === 'path'
            ? await call(op.method, fill(op.path, idOf[foreign.resource]), t.token(B), foreign.body)
            : await call(op.method, op.path, t.token(B), foreign.body(owned, { hold: bHold, van }));
        expect(seen(op.key, res)).toEqual({ operation: op.key, status: 404, error: foreign.error });
        expect(Object.keys(res.body as object).sort()).toEqual(['error', 'message', 'requestId']);
      }
    }
    // Every {id} route under /v1 or /api reservations and rentals, and /v1/payments/methods, has a foreign check.
    const byId = operations.filter((op) => /^\/(v1|api)\/(reservations|rentals|payments\/methods)\/\{/.test(op.path));
    expect(byId.filter((op) => !EXPECTED[op.key]?.foreign?.some((f) => f.via === 'path')).map((op) => op.key)).toEqual([]);
    expect(checks).toBeGreaterThanOrEqual(10);
  });

  it("leaves the user's resources as they were after the other user's attempts", async () => {
    const a = t.token(A);
    const hold = await call('get', `/v1/reservations/${owned.hold}`, a).expect(200);
    expect((hold.body as { status: string }).status).toBe('held');
    const pending = await call('get', `/v1/reservations/${owned.pending}/payment-status`, a).expect(200);
    expect((pending.body as { data: { reservationStatus: string; paymentIntentId: string } }).data).toMatchObject({
      reservationStatus: 'pending',
      paymentIntentId: owned.paymentIntent,
    });
    const cards = await call('get', '/v1/payments/methods', a).expect(200);
    expect((cards.body as { data: { id: string; isDefault: boolean }[] }).data).toEqual([
      expect.objectContaining({ id: owned.card, isDefault: true }),
    ]);
    const setup = await (t.app.get(PAYMENT_GATEWAY) as PaymentGateway).retrieveSetupIntent(owned.setupIntent);
    expect(setup).toMatchObject({ status: 'requires_payment_method', paymentMethodId: null });
    // And B's own hold was not converted with A's card.
    const bs = await call('get', `/v1/reservations/${bHold}`, t.token(B)).expect(200);
    expect((bs.body as { status: string }).status).toBe('held');
  });
});
