import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { NotificationsService } from '../src/notifications/notifications.service';
import type { EmailTemplate, ReservationEmailData } from '../src/notifications/notifications.types';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const RENTAL_TEMPLATES = ['rental_completed', 'rental_payment_failed', 'rental_action_required'] as const;

/** A van rental paid in dollars: price 240.00, a late fee of 30.00 and a cleaning fee of 45.50, 30.00 of it refunded. */
const DATA: ReservationEmailData = {
  guestName: 'Eve <script>document.cookie</script>',
  reference: 'R3NT4LV4N001',
  lines: [{ title: 'Cargo van', quantity: 1, startDate: '2031-06-14', endDate: '2031-06-16' }],
  totalCents: 24000,
  currency: 'USD',
  refundCents: 0,
  rental: {
    pickupAt: '2031-06-14T08:00:00.000Z',
    returnAt: '2031-06-16T18:00:00.000Z',
    priceCents: 24000,
    dueCents: 31550,
    capturedCents: 30000,
    chargedCents: 4550,
    refundedCents: 3000,
    owedCents: 4550,
    fines: [
      { kind: 'late', amountCents: 3000, reason: '1 started hour late after the grace' },
      { kind: 'cleaning', amountCents: 4550, reason: 'Sand <everywhere>' },
    ],
    actionDeadline: '2031-06-13T08:00:00.000Z',
  },
};

interface DevEmail {
  notificationId: string;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The rental emails through the real path: queued in a transaction by
 * NotificationsService (the facts stored as JSON), sent by the email job into the dev
 * outbox, read back at GET /v1/dev/emails; written in EMAIL_LOCALE (en-US here), counted
 * in emails_total and listed in the OpenAPI document. The wording of each template is
 * src/notifications/rental-emails.spec.ts.
 */
describe('rental emails through the job queue', () => {
  let t: TestApp;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });

  const queue = (template: EmailTemplate, reservationId: string) =>
    t.app.get(TransactionHost).run(() =>
      t.app.get(NotificationsService, { strict: false }).queueEmail({
        template,
        to: 'eve@example.com',
        userId: 'alice',
        reservationId,
        data: DATA,
      }),
    );
  const outbox = async (reservationId: string, as = alice()): Promise<DevEmail[]> =>
    (await t.http.get('/v1/dev/emails').query({ reservationId }).set(as).expect(200)).body.emails;
  const sentTo = async (reservationId: string): Promise<DevEmail> => {
    await waitFor(`the email about ${reservationId}`, async () => (await outbox(reservationId)).length === 1);
    return (await outbox(reservationId))[0];
  };
  const emailsTotal = async (template: string, outcome: string): Promise<number | undefined> => {
    const text = await t.app.get(MetricsRegistry).metrics();
    const line = text.split('\n').find((l) => l.startsWith(`emails_total{template="${template}",outcome="${outcome}"} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  /** Counted once the job settles, which may be a moment after the outbox row is visible. */
  const counted = (template: EmailTemplate) =>
    waitFor(`${template} counted as sent`, async () => (await emailsTotal(template, 'sent')) === 1);

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated', EMAIL_LOCALE: 'en-US' } });
  });
  afterAll(async () => t.close());

  it('reports every outcome of the new templates from the start, at zero', async () => {
    for (const template of RENTAL_TEMPLATES) {
      for (const outcome of ['queued', 'sent', 'suppressed', 'deferred', 'failed']) {
        expect({ template, outcome, value: await emailsTotal(template, outcome) }).toEqual({ template, outcome, value: 0 });
      }
    }
  });

  it('sends the receipt in the configured locale, amounts and fines written out, the name escaped in HTML', async () => {
    const reservationId = randomUUID();
    expect(await queue('rental_completed', reservationId)).toEqual(expect.any(String));
    const email = await sentTo(reservationId);
    expect(email).toMatchObject({ template: 'rental_completed', to: 'eve@example.com' });
    expect(email.subject).toBe('Your receipt for rental R3NT4LV4N001');
    expect(email.text).toContain(
      [
        'Rental price: $240.00',
        'Fines:',
        '- Late return: $30.00 (1 started hour late after the grace)',
        '- Cleaning: $45.50 (Sand <everywhere>)',
        'Total due: $315.50',
        '',
        'Captured from the amount held on your card: $300.00',
        'Charged to your card separately: $45.50',
        'Refunded to your card: $30.00',
        'Total paid: $315.50',
        'Still to pay: $45.50. You can pay it in the app.',
      ].join('\n'),
    );
    expect(email.text).toMatch(/Pickup: Saturday, June 14, 2031 at 8:00\sAM UTC\nReturn: Monday, June 16, 2031 at 6:00\sPM UTC/);
    expect(email.html).toContain('Hello Eve &lt;script&gt;document.cookie&lt;/script&gt;,');
    expect(email.html).toContain('Sand &lt;everywhere&gt;');
    expect(email.html).not.toMatch(/<script|<everywhere>/);
    expect(await emailsTotal('rental_completed', 'queued')).toBe(1);
    await counted('rental_completed');
  });

  it('sends the declined-charge email: what is owed, for which fines, pay in the app, retries over 72 hours', async () => {
    const reservationId = randomUUID();
    await queue('rental_payment_failed', reservationId);
    const email = await sentTo(reservationId);
    expect(email.subject).toBe('We could not charge your card for rental R3NT4LV4N001');
    expect(email.text).toContain('You still owe $45.50 towards these fines:\n');
    expect(email.text).toContain(
      '- Late return: $30.00 (1 started hour late after the grace)\n- Cleaning: $45.50 (Sand <everywhere>)',
    );
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Please pay what you owe in the app');
      expect(part).toContain('we will try your card again over the next 72 hours');
    }
    expect(await emailsTotal('rental_payment_failed', 'queued')).toBe(1);
    await counted('rental_payment_failed');
  });

  it('sends the action-required email with its deadline; another user cannot read it', async () => {
    const reservationId = randomUUID();
    await queue('rental_action_required', reservationId);
    const email = await sentTo(reservationId);
    expect(email.subject).toBe('Confirm the payment for rental R3NT4LV4N001');
    expect(email.text).toMatch(/Open the app and confirm the payment before Friday, June 13, 2031 at 8:00\sAM UTC\./);
    expect(email.text).toContain('Otherwise the booking is cancelled and nothing is charged.');
    expect(await outbox(reservationId, { Authorization: `Bearer ${t.token('mallory')}` })).toEqual([]);
    expect(await emailsTotal('rental_action_required', 'queued')).toBe(1);
    await counted('rental_action_required');
  });

  it('lists the new templates in the OpenAPI document of GET /v1/dev/emails', async () => {
    const document = (await t.http.get('/docs-json').expect(200)).body as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    };
    expect(document.components.schemas.DevEmailDto.properties.template.enum).toEqual(
      expect.arrayContaining([...RENTAL_TEMPLATES]),
    );
  });
});
