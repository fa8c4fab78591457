import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Response } from 'supertest';
import { ROLES } from '../src/auth/auth.decorators';
import { assertHoldRouteUnchanged } from '../src/hold-lane';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { RateLimits } from '../src/protection/rate-limits';
import { ReservationsController } from '../src/reservations/reservations.controller';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const guest = { guestName: 'Lane Guest', guestEmail: 'lane@example.com' };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;
/** Headers that differ between any two responses (ids, time, the body's hash). */
const VOLATILE = new Set(['x-request-id', 'date', 'etag']);

/** What a client sees of a response, with ids and times masked, so two apps' answers compare. */
function seen(res: Response): { status: number; headers: string[]; body: unknown } {
  const headers: string[] = [];
  const raw = res.headers as Record<string, string>;
  for (const name of Object.keys(raw)) headers.push(VOLATILE.has(name) ? `${name}: *` : `${name}: ${raw[name]}`);
  const body = JSON.parse(
    JSON.stringify(res.body ?? null)
      .replace(UUID, '<uuid>')
      .replace(TIME, '<time>'),
  ) as unknown;
  return { status: res.status, headers, body };
}

async function laneCount(t: TestApp, outcome: 'served' | 'passed'): Promise<number> {
  const metric = await t.app.get(MetricsRegistry).getSingleMetric('http_hold_lane_requests_total')?.get();
  return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

interface Step {
  name: string;
  /** Served by the lane itself, when it is on. */
  served?: true;
  send: (ctx: { t: TestApp; token: string; body: Record<string, unknown>; firstKey: string }) => Promise<Response>;
}

const post = (t: TestApp, token: string, key: string | null, path = '/v1/reservations/hold') => {
  const req = t.http.post(path).set('Authorization', `Bearer ${token}`);
  return key === null ? req : req.set('X-Idempotency-Key', key);
};

/**
 * Every kind of hold request the lane serves or hands on, in order, against one app. The
 * same steps run against an app with HOLD_LANE=false, and the answers must be the same.
 */
const STEPS: Step[] = [
  { name: 'a new token (not verified yet)', send: ({ t, token, body }) => post(t, token, randomUUID()).send(body) },
  { name: 'an ordinary hold', served: true, send: ({ t, token, body, firstKey }) => post(t, token, firstKey).send(body) },
  {
    name: 'a hold of 3 guests',
    served: true,
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, numberOfGuests: 3 }),
  },
  { name: 'the same key and body again (a replay)', send: ({ t, token, body, firstKey }) => post(t, token, firstKey).send(body) },
  {
    name: 'the same key, another body',
    send: ({ t, token, body, firstKey }) => post(t, token, firstKey).send({ ...body, numberOfGuests: 2 }),
  },
  { name: 'no key', send: ({ t, token, body }) => post(t, token, null).send(body) },
  { name: 'a malformed key', send: ({ t, token, body }) => post(t, token, 'has space').send(body) },
  {
    name: 'malformed JSON',
    send: ({ t, token }) => post(t, token, randomUUID()).set('Content-Type', 'application/json').send('{"experienceId":'),
  },
  {
    name: 'a NUL in the name',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, guestName: 'a\u0000b' }),
  },
  { name: 'zero guests', send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, numberOfGuests: 0 }) },
  {
    name: 'a field the DTO does not have',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, admin: true }),
  },
  { name: 'a null field', send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, guestPhone: null }) },
  { name: 'a huge number', send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, numberOfGuests: 1e308 }) },
  {
    name: 'JSON sent as text/plain',
    send: ({ t, token, body }) => post(t, token, randomUUID()).set('Content-Type', 'text/plain').send(JSON.stringify(body)),
  },
  {
    name: 'a body over the lane 16 KB',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, specialRequests: 'x'.repeat(20_000) }),
  },
  {
    name: 'a body over the 1 MB limit',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, specialRequests: 'x'.repeat(1_100_000) }),
  },
  {
    name: 'more guests than places',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, numberOfGuests: 40 }),
  },
  {
    name: 'a slot that does not exist',
    send: ({ t, token, body }) => post(t, token, randomUUID()).send({ ...body, timeSlotId: randomUUID() }),
  },
  { name: 'a bad token', send: ({ t, body }) => post(t, 'not.a.token', randomUUID()).send(body) },
  {
    name: 'a query string',
    send: ({ t, token, body }) => post(t, token, randomUUID(), '/v1/reservations/hold?x=1').send(body),
  },
  {
    name: 'the cart form',
    send: ({ t, token, body }) =>
      post(t, token, randomUUID()).send({
        items: [{ offeringId: body.experienceId, timeSlotId: body.timeSlotId, quantity: 1 }],
        ...guest,
      }),
  },
  {
    name: 'another ordinary hold after all that',
    served: true,
    send: ({ t, token, body }) => post(t, token, randomUUID()).send(body),
  },
];

async function runSteps(t: TestApp): Promise<Array<ReturnType<typeof seen>>> {
  const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 2500 });
  const slot = await createSlot(t.dataSource, offering.id, { capacity: 30 });
  const ctx = {
    t,
    token: t.token('lane-user'),
    body: { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest },
    firstKey: randomUUID(),
  };
  const answers = [];
  for (const step of STEPS) answers.push(seen(await step.send(ctx)));
  expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  return answers;
}

/**
 * The hold lane (src/hold-lane.ts) answers the ordinary hold outside Express and Nest.
 * It must be invisible: every request, served by it or handed on, is answered exactly as
 * by the app without it (HOLD_LANE=false), and it must count each request once against
 * the rate limits. One app at a time (passport's strategy is global).
 */
describe('the hold lane', () => {
  let withLane: Array<ReturnType<typeof seen>>;
  let withoutLane: Array<ReturnType<typeof seen>>;
  let counts: { served: number; passed: number };

  beforeAll(async () => {
    const lane = await createTestApp();
    try {
      withLane = await runSteps(lane);
      counts = { served: await laneCount(lane, 'served'), passed: await laneCount(lane, 'passed') };
    } finally {
      await lane.close();
    }
    const nest = await createTestApp({ env: { HOLD_LANE: 'false' } });
    try {
      withoutLane = await runSteps(nest);
      expect(await laneCount(nest, 'served')).toBe(0);
      expect(await laneCount(nest, 'passed')).toBe(0);
    } finally {
      await nest.close();
    }
  });

  it.each(STEPS.map((step, i) => [step.name, i] as const))('answers %s exactly as Nest does', (_name, i) => {
    expect(withLane[i]).toEqual(withoutLane[i]);
  });

  it('served the ordinary holds itself and handed every other hold request on', () => {
    const served = STEPS.filter((step) => step.served).length;
    expect(counts.served).toBe(served);
    // Everything else on the hold path; the query string is not the lane's path at all.
    expect(counts.passed).toBe(STEPS.length - served - 1);
  });

  it('answered the steps as the contract says (not merely alike)', () => {
    const statuses = Object.fromEntries(STEPS.map((step, i) => [step.name, withLane[i].status]));
    expect(statuses).toEqual({
      'a new token (not verified yet)': 200,
      'an ordinary hold': 200,
      'a hold of 3 guests': 200,
      'the same key and body again (a replay)': 200,
      'the same key, another body': 422,
      'no key': 400,
      'a malformed key': 400,
      'malformed JSON': 400,
      'a NUL in the name': 400,
      'zero guests': 400,
      'a field the DTO does not have': 400,
      'a null field': 200,
      'a huge number': 400,
      'JSON sent as text/plain': 400,
      'a body over the lane 16 KB': 400,
      'a body over the 1 MB limit': 413,
      'more guests than places': 409,
      'a slot that does not exist': 404,
      'a bad token': 401,
      'a query string': 200,
      'the cart form': 200,
      'another ordinary hold after all that': 200,
    });
    const replay = withLane[STEPS.findIndex((step) => step.name.startsWith('the same key and body'))];
    expect(replay.headers).toContain('idempotent-replayed: true');
    expect(replay.body).toEqual(withLane[1].body);
  });
});

describe('the hold lane and the rate limits', () => {
  /** The hold limit is 3 a minute: a request the lane counted and then handed on must not be counted again. */
  async function statuses(env: Record<string, string>): Promise<number[]> {
    const t = await createTestApp({ env: { RATE_LIMIT_HOLD_PER_MINUTE: '3', ...env } });
    try {
      const offering = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, offering.id, { capacity: 30 });
      const token = t.token('limited-user');
      const body = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };
      const answers: number[] = [];
      answers.push((await post(t, token, randomUUID()).send(body)).status); // verifies the token: Nest counts it
      answers.push((await post(t, token, randomUUID()).send(body)).status); // the lane counts it
      answers.push((await post(t, token, randomUUID()).send({ ...body, numberOfGuests: 0 })).status); // the lane counts it, Nest refuses the body
      answers.push((await post(t, token, randomUUID()).send(body)).status); // the fourth: over the limit
      return answers;
    } finally {
      await t.close();
    }
  }

  it('counts every request once, whoever answers it', async () => {
    expect(await statuses({})).toEqual([200, 200, 400, 429]);
    expect(await statuses({ HOLD_LANE: 'false' })).toEqual([200, 200, 400, 429]);
  });
});

describe('a defect in the hold lane', () => {
  it('hands the request to Nest instead of failing it or the process', async () => {
    const t = await createTestApp();
    try {
      const offering = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
      const token = t.token('defect-user');
      const body = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };
      expect((await post(t, token, randomUUID()).send(body)).status).toBe(200); // the token is verified now
      const broken = jest.spyOn(t.app.get(RateLimits), 'hasRoom').mockImplementation(() => {
        throw new Error('a defect in the lane');
      });
      const passedBefore = await laneCount(t, 'passed');
      const res = await post(t, token, randomUUID()).send(body);
      broken.mockRestore();
      expect(res.status).toBe(200);
      expect(res.body.reservation).toMatchObject({ status: 'held' });
      expect(await laneCount(t, 'passed')).toBe(passedBefore + 1);
      expect(await laneCount(t, 'served')).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('the hold lane at start-up', () => {
  it('refuses to start when the hold route gained something the lane does not apply', () => {
    expect(assertHoldRouteUnchanged()).toBe('/v1/reservations/hold');
    const handler = ReservationsController.prototype.hold;
    Reflect.defineMetadata(ROLES, ['admin'], handler);
    try {
      expect(() => assertHoldRouteUnchanged()).toThrow(/hold lane/);
    } finally {
      Reflect.deleteMetadata(ROLES, handler);
    }
    expect(assertHoldRouteUnchanged()).toBe('/v1/reservations/hold');
  });
});
