import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { mintDevToken } from '../../src/auth/dev-token.service';
import { PAYMENT_GATEWAY } from '../../src/payments/payment-gateway';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
import { RentalSettlementJob } from '../../src/rentals/rental-settlement.job';
import type { SimulatedTelematics } from '../../src/rentals/simulated-telematics';
import { TELEMATICS } from '../../src/rentals/telematics.port';
import { createOffering, createUnit } from '../factories/inventory.factory';
import type { TestApp } from './test-app';
import { waitFor } from './wait';

export const HOUR = 3_600_000;

/** A vehicle offering's rental policy (minor units of EUR). */
export interface Policy {
  pickupTime: string;
  returnTime: string;
  timeZone: string;
  deposit: number;
  cancellationFee: number;
  freeCancellationHours: number;
  lateFeePerHour: number;
  refuelFeePerPercent: number;
  kmAllowancePerDay: number;
  feePerExtraKm: number;
}

export interface Reading {
  odometerKm: number;
  energyLevelPercent: number;
}

/** A JPEG's first bytes and filler: enough for the sniffer and the store. */
const photo = (n: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(2000 + n, n),
    Buffer.from([0xff, 0xd9]),
  ]);

/** A pg-boss job of the rentals' queues, as the tests read it. */
export interface QueuedJob {
  id: string;
  state: string;
  attempt: number | null;
  startAfter: Date;
  createdOn: Date;
}

/**
 * Drives vehicle rentals over HTTP on the simulated providers, as the app and an admin
 * would (test/rentals.e2e-spec.ts shows the same steps one by one), with the app clock
 * moved to each moment. Tokens live 20 years: the app clock moves through months per 40 rentals.
 */
export class RentalDriver {
  private vehicles = 0;

  constructor(readonly t: TestApp) {}

  token(sub: string, roles: string[] = []): string {
    const { JWT_SECRET, JWT_AUDIENCE, JWT_ISSUER } = this.t.config;
    return mintDevToken(JWT_SECRET, { sub, roles }, 20 * 365 * 24 * 3600, JWT_AUDIENCE, JWT_ISSUER);
  }
  auth(sub: string) {
    return { Authorization: `Bearer ${this.token(sub)}` };
  }
  admin() {
    return { Authorization: `Bearer ${this.token('ops', ['admin'])}` };
  }
  gateway(): SimulatedGateway {
    return this.t.app.get(PAYMENT_GATEWAY) as SimulatedGateway;
  }
  telematics(): SimulatedTelematics {
    return this.t.app.get(TELEMATICS) as SimulatedTelematics;
  }
  settlement(): RentalSettlementJob {
    return this.t.app.get(RentalSettlementJob);
  }

  /** A vehicle offering with one unit of its own. */
  async vehicle(basePriceCents: number, policy: Policy): Promise<{ offeringId: string; fleetVehicleId: string }> {
    const n = ++this.vehicles;
    const offering = await createOffering(this.t.dataSource, {
      kind: 'rental',
      basePriceCents,
      vehicle: true,
      rentalPolicy: policy,
    });
    const unit = await createUnit(this.t.dataSource, offering.id, `Van ${n}`, 'available', {
      plate: `HF-${String(n).padStart(3, '0')}-PT`,
      model: 'Renault Master',
      seats: 9,
      energy: 'fuel',
      fleetVehicleId: `fleet-prop-${n}-${randomUUID().slice(0, 8)}`,
    });
    return { offeringId: offering.id, fleetVehicleId: unit.fleetVehicleId! };
  }

  /** The policy zone's calendar date `days` from the app clock's now. */
  date(days: number, timeZone = 'Europe/Paris'): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(this.t.clock.nowMs() + days * 24 * HOUR));
  }

  /**
   * Holds the vehicle, converts with the card kept for later, and pays in the app with
   * `card` (a test card number; a 3-D Secure one is authenticated). Returns the
   * reservation id and the saved card's provider id.
   */
  async book(
    sub: string,
    offeringId: string,
    startInDays: number,
    days: number,
    card: string,
  ): Promise<{ id: string; paymentMethodId: string }> {
    const held = await this.t.http
      .post('/v1/reservations/hold')
      .set(this.auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [{ offeringId, startDate: this.date(startInDays), endDate: this.date(startInDays + days) }],
        guestName: 'Petra Property',
        guestEmail: `${sub}@example.com`,
      })
      .expect(200);
    const id = held.body.reservation.id as string;
    const converted = await this.t.http
      .post('/v1/reservations/hold/convert')
      .set(this.auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: id, savePaymentMethod: true })
      .expect(200);
    const pi = converted.body.reservation.paymentIntentId as string;
    const confirmed = await this.t.http.post(`/v1/dev/payments/${pi}/confirm`).set(this.auth(sub)).send({ paymentMethod: card });
    expect(confirmed.status).toBe(200);
    if (confirmed.body.status === 'requires_action') {
      await this.t.http.post(`/v1/dev/payments/${pi}/authenticate`).set(this.auth(sub)).send({ result: 'success' }).expect(200);
    }
    await this.gateway().flushEvents();
    const booking = (await this.t.http.get(`/v1/reservations/${id}`).set(this.auth(sub)).expect(200)).body;
    expect(booking).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
    const [{ payment_method_id: paymentMethodId }] = (await this.t.dataSource.query(
      `SELECT payment_method_id FROM payments WHERE reservation_id = $1 AND purpose = 'booking' AND status = 'requires_capture'`,
      [id],
    )) as { payment_method_id: string }[];
    return { id, paymentMethodId };
  }

  /** GET /v1/rentals/{id} (as an admin: any rental). */
  async rental(id: string) {
    return (await this.t.http.get(`/v1/rentals/${id}`).set(this.admin()).expect(200)).body;
  }

  async reservationStatus(id: string): Promise<string> {
    const [row] = (await this.t.dataSource.query(`SELECT status FROM reservations WHERE id = $1`, [id])) as { status: string }[];
    return row.status;
  }

  /** Unlocks 10 minutes before pickup with telematics reading `pickup`. */
  async unlock(sub: string, id: string, fleetVehicleId: string, pickup: Reading): Promise<void> {
    const view = await this.rental(id);
    this.t.clock.set(Math.max(this.t.clock.nowMs(), Date.parse(view.pickupAt) - 10 * 60_000));
    this.telematics().setReadings(fleetVehicleId, pickup);
    const started = await this.t.http
      .post(`/v1/rentals/${id}/unlock`)
      .set(this.auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .expect(200);
    expect(started.body).toMatchObject({ rentalStatus: 'in_progress', pickupReading: pickup });
  }

  /**
   * Returns the vehicle `lateMinutes` after its return time (negative: early), locked
   * with telematics reading `locked`; the customer reports `customer`. Returns the body.
   */
  async returnVehicle(sub: string, id: string, fleetVehicleId: string, lateMinutes: number, locked: Reading, customer: Reading) {
    const view = await this.rental(id);
    this.t.clock.set(Date.parse(view.returnAt) + lateMinutes * 60_000);
    await this.telematics().lock(fleetVehicleId, { idempotencyKey: `lock-${id}` });
    this.telematics().setReadings(fleetVehicleId, locked);
    let request = this.t.http
      .post(`/v1/rentals/${id}/return`)
      .set(this.auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .field('odometerKm', String(customer.odometerKm))
      .field('energyLevelPercent', String(customer.energyLevelPercent))
      .field('latitude', '48.8566')
      .field('longitude', '2.3522');
    for (let n = 1; n <= 4; n++)
      request = request.attach('photos', photo(n), { filename: `side-${n}.jpg`, contentType: 'image/jpeg' });
    return (await request.expect(200)).body;
  }

  async setFine(id: string, kind: string, amount: number): Promise<void> {
    await this.t.http
      .put(`/v1/admin/rentals/${id}/fines/${kind}`)
      .set(this.admin())
      .send({ amount, reason: `set to ${amount} by the property test` })
      .expect(200);
  }

  async approve(id: string): Promise<void> {
    await this.t.http
      .post(`/v1/admin/rentals/${id}/verification`)
      .set(this.admin())
      .set('X-Idempotency-Key', randomUUID())
      .send({ decision: 'approve', note: 'looked at the photos' })
      .expect(200);
  }

  async cancel(sub: string, id: string) {
    return (await this.t.http.post(`/v1/reservations/${id}/cancel`).set(this.auth(sub)).expect(200)).body;
  }

  /** The rentals' jobs of a reservation, oldest first. */
  async jobs(queue: 'rentals-settle' | 'rentals-fine-retry', id: string): Promise<QueuedJob[]> {
    return (await this.t.dataSource.query(
      `SELECT id, state, (data->>'attempt')::int AS attempt, start_after AS "startAfter", created_on AS "createdOn"
         FROM pgboss.job WHERE name = $1 AND data->>'reservationId' = $2 ORDER BY created_on, (data->>'attempt')::int`,
      [queue, id],
    )) as QueuedJob[];
  }

  /**
   * Waits until every settlement job of the rental has run (a failed or retrying one fails
   * the test with its error), then for the provider's events.
   */
  async drain(id: string): Promise<void> {
    await waitFor(
      `the settlement jobs of ${id}`,
      async () => {
        const rows = (await this.t.dataSource.query(
          `SELECT state, output FROM pgboss.job WHERE name = 'rentals-settle' AND data->>'reservationId' = $1`,
          [id],
        )) as { state: string; output: unknown }[];
        const bad = rows.find((r) => r.state === 'failed' || r.state === 'retry');
        if (bad) throw new Error(`a settlement job of ${id} went to ${bad.state}: ${JSON.stringify(bad.output)}`);
        return rows.every((r) => r.state === 'completed');
      },
      20_000,
      25,
    );
    await this.gateway().flushEvents();
  }

  /**
   * Runs the rental's queued fine retry now, as its job would 24 hours on: the app clock
   * moved a day, the job marked done, `settle` called with its attempt. Returns the
   * attempt, or null when no retry is queued.
   */
  async runRetry(id: string): Promise<number | null> {
    const queued = (await this.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created');
    if (queued.length === 0) return null;
    expect(queued).toHaveLength(1); // one retry chain at a time
    const [job] = queued;
    await this.t.dataSource.query(`UPDATE pgboss.job SET state = 'completed', completed_on = now() WHERE id = $1`, [job.id]);
    this.t.clock.advance(24 * HOUR);
    await this.settlement().settle(id, job.attempt!);
    await this.gateway().flushEvents();
    await this.drain(id);
    return job.attempt;
  }
}
