import { randomUUID } from 'node:crypto';
import { mintDevToken } from '../../src/auth/dev-token.service';
import { PAYMENT_GATEWAY } from '../../src/payments/payment-gateway';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
import { createOffering, createSlot } from '../factories/inventory.factory';
import type { TestApp } from './test-app';

/** A guest whose details must never reach the analytics export. */
export const ANALYTICS_GUEST = {
  guestName: 'Zelda Secretname',
  guestEmail: 'zelda.secret@example.com',
  guestPhone: '+15550001234',
};

/** Makes bookings through the API for the analytics tests (tokens live long: tests move the clock). */
export class AnalyticsBookings {
  offeringId = '';
  slotId = '';
  slotStartsAt = new Date(0);

  constructor(readonly t: TestApp) {}

  token(sub: string, roles: string[] = [], scopes: string[] = []): string {
    const { JWT_SECRET, JWT_AUDIENCE, JWT_ISSUER } = this.t.config;
    return mintDevToken(JWT_SECRET, { sub, roles, scopes }, 20 * 365 * 24 * 3600, JWT_AUDIENCE, JWT_ISSUER);
  }

  as(sub: string, roles: string[] = []) {
    return { Authorization: `Bearer ${this.token(sub, roles)}` };
  }

  /** An experience (10000 EUR minor units a guest, refundable until 48 h before) and a slot with room. */
  async setUp(): Promise<void> {
    const offering = await createOffering(this.t.dataSource, {
      kind: 'experience',
      basePriceCents: 10000,
      refundableUntilHours: 48,
    });
    this.offeringId = offering.id;
    const slot = await createSlot(this.t.dataSource, offering.id, { capacity: 1000 });
    this.slotId = slot.id;
    this.slotStartsAt = slot.startsAt;
  }

  /** A hold of `guests` places for `sub`; returns the reservation id. */
  async hold(sub: string, guests = 2): Promise<string> {
    const res = await this.t.http
      .post('/v1/reservations/hold')
      .set(this.as(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId: this.offeringId, timeSlotId: this.slotId, numberOfGuests: guests, ...ANALYTICS_GUEST });
    if (res.status !== 200) throw new Error(`hold: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.reservation.id as string;
  }

  /** A hold converted and paid with a card that succeeds: confirmed. */
  async confirmed(sub: string, guests = 2): Promise<string> {
    const id = await this.hold(sub, guests);
    const converted = await this.t.http
      .post('/v1/reservations/hold/convert')
      .set(this.as(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: id });
    const pi = converted.body.reservation.paymentIntentId as string;
    await this.t.http.post(`/v1/dev/payments/${pi}/confirm`).set(this.as(sub)).send({ paymentMethod: 'pm_card_visa' });
    await (this.t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
    return id;
  }

  async cancel(sub: string, id: string): Promise<void> {
    const res = await this.t.http.post(`/v1/reservations/${id}/cancel`).set(this.as(sub));
    if (res.status !== 200) throw new Error(`cancel: ${res.status} ${JSON.stringify(res.body)}`);
    await (this.t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
  }

  /** An admin's partial refund of the booking's payment. */
  async refund(id: string, amount: number): Promise<void> {
    const view = await this.view(id);
    const paymentId = view.payments[0].paymentId as string;
    await this.t.http
      .post(`/v1/admin/payments/${paymentId}/refunds`)
      .set(this.as('ops', ['admin']))
      .send({ amount })
      .expect(201);
    await (this.t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
  }

  /** The reservation as an admin reads it through the API. */
  async view(id: string) {
    return (
      await this.t.http
        .get(`/v1/reservations/${id}`)
        .set(this.as('ops', ['admin']))
        .expect(200)
    ).body;
  }
}
