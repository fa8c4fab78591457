import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { NotificationsService } from '../src/notifications/notifications.service';
import type { ReservationEmailData } from '../src/notifications/notifications.types';
import { captureOutput } from './support/output';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-server';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const DATA: ReservationEmailData = {
  guestName: 'Grace Hopper',
  reference: 'K7P2M9QX4T8C',
  lines: [{ title: 'Harbour kayak tour', quantity: 2, startsAt: '2031-06-14T09:30:00.000Z' }],
  totalCents: 24690,
  currency: 'EUR',
};

interface JobRow {
  state: string;
  retry_count: number;
  output: { message?: string } | null;
}

/**
 * The SMTP path against a real SMTP server started here (the `smtp-server` package):
 * delivery, a deferral (421, 451) retried with backoff, a permanent refusal (550) not
 * retried and dead-lettered, and never an address or a body in the logs. Retries are
 * pulled forward (their start_after set to now) once their backoff is checked, so the
 * file does not wait out 5 + 10 s.
 */
describe('email over SMTP', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  const admin = () => ({ Authorization: `Bearer ${t.token('ada', ['admin'])}` });

  /** Queues a confirmation to `to` as the confirming transaction would; its notification id and job id. */
  const queue = async (to: string) => {
    const notifications = t.app.get(NotificationsService, { strict: false });
    const id = await t.app
      .get(TransactionHost)
      .run(() =>
        notifications.queueEmail({
          template: 'reservation_confirmed',
          to,
          userId: 'alice',
          reservationId: randomUUID(),
          data: DATA,
        }),
      );
    const [job] = await t.dataSource.query(
      `SELECT id FROM pgboss.job WHERE name = 'notifications-email' AND data->>'notificationId' = $1`,
      [id],
    );
    return { notificationId: id!, jobId: job.id as string };
  };
  const job = async (id: string): Promise<JobRow> =>
    (await t.dataSource.query(`SELECT state, retry_count, output FROM pgboss.job WHERE id = $1`, [id]))[0];
  const notification = async (id: string) =>
    (await t.dataSource.query(`SELECT status, attempts, last_error FROM notifications WHERE id = $1`, [id]))[0];
  const settled = (jobId: string, state: string) =>
    waitFor(`job ${jobId} ${state}`, async () => (await job(jobId)).state === state, 20_000);
  /** Waits for the job's `failures`th failed attempt, checks the backoff before its next one, and lets that run now. */
  const hurryRetry = async (jobId: string, failures: number, atLeastSeconds: number) => {
    await waitFor(
      `job ${jobId} to fail ${failures} time(s)`,
      async () => {
        const row = await job(jobId);
        return row.state === 'retry' && row.retry_count === failures - 1; // pg-boss counts a retry when it starts
      },
      20_000,
    );
    const [{ wait }] = await t.dataSource.query(
      `SELECT extract(epoch FROM start_after - now())::float AS wait FROM pgboss.job WHERE id = $1`,
      [jobId],
    );
    expect(wait).toBeGreaterThan(atLeastSeconds - 1.5);
    await t.dataSource.query(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [jobId]);
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // The first app of the file decides the log level for the process (nestjs-pino): warn shows job failures.
    t = await createTestApp({ env: { SMTP_URL: smtp.url, EMAIL_FROM: 'Holdfast <bookings@holdfast.test>', LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });
  beforeEach(() => smtp.reply(() => 'accept'));

  it('delivers the rendered email once, with a text and an HTML part and a stable Message-ID', async () => {
    const { notificationId, jobId } = await queue('grace@example.com');
    await settled(jobId, 'completed');
    const mail = smtp.received.filter((m) => m.to.includes('grace@example.com'));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      from: 'bookings@holdfast.test',
      subject: 'Your booking is confirmed (K7P2M9QX4T8C)',
      messageId: `<${notificationId}@holdfast.test>`,
    });
    expect(mail[0].raw).toMatch(/Content-Type: text\/plain/);
    expect(mail[0].raw).toMatch(/Content-Type: text\/html/);
    expect(mail[0].raw).toContain('Your booking reference is K7P2M9QX4T8C.');
    expect(mail[0].raw).toContain('€246.90');
    expect(await notification(notificationId)).toEqual({ status: 'sent', attempts: 1, last_error: null });
    // The route of the dev outbox is still served (AUTH_MODE=dev), but nothing lands there with SMTP on.
    const outbox = await t.http.get('/v1/dev/emails').set(admin()).expect(200);
    expect(outbox.body.emails).toEqual([]);
  });

  it.each([421, 451] as const)('retries a deferral (%i) after its backoff and delivers on the next attempt', async (code) => {
    const to = `deferred-${code}@example.com`;
    smtp.reply((recipient, attempt) => (recipient === to && attempt === 1 ? code : 'accept'));
    const { notificationId, jobId } = await queue(to);
    await hurryRetry(jobId, 1, 5);
    expect(await notification(notificationId)).toMatchObject({ status: 'queued', attempts: 1 });
    await settled(jobId, 'completed');
    expect(smtp.attempts.filter((a) => a === to)).toHaveLength(2);
    expect(smtp.received.filter((m) => m.to.includes(to))).toHaveLength(1);
    expect(await job(jobId)).toMatchObject({ retry_count: 1 });
    expect(await notification(notificationId)).toEqual({ status: 'sent', attempts: 2, last_error: null });
  });

  it('gives up after 3 deferred attempts (5 s, then about 10 s apart): dead-lettered, listed for admins', async () => {
    const to = 'greylisted@example.com';
    smtp.reply((recipient) => (recipient === to ? 451 : 'accept'));
    const { notificationId, jobId } = await queue(to);
    await hurryRetry(jobId, 1, 5);
    await hurryRetry(jobId, 2, 10);
    await settled(jobId, 'failed');
    expect(smtp.attempts.filter((a) => a === to)).toHaveLength(3);
    expect(await notification(notificationId)).toMatchObject({ status: 'failed', attempts: 3 });
    const failed = await t.http
      .get('/v1/admin/jobs')
      .query({ state: 'failed', queue: 'notifications-email' })
      .set(admin())
      .expect(200);
    expect(failed.body.jobs.map((j: { id: string }) => j.id)).toContain(jobId);
  });

  it('never retries a permanent refusal (550): failed after one attempt, and no address or body in the logs', async () => {
    const to = 'no-such-user@example.com';
    smtp.reply((recipient) => (recipient === to ? 550 : 'accept'));
    let ids = { notificationId: '', jobId: '' };
    const output = await captureOutput(async () => {
      ids = await queue(to);
      await settled(ids.jobId, 'failed');
    });
    expect(smtp.attempts.filter((a) => a === to)).toHaveLength(1);
    const failed = await job(ids.jobId);
    expect(failed).toMatchObject({ state: 'failed', retry_count: 0 });
    expect(failed.output?.message).toBe('SMTP server refused the message permanently (550, EENVELOPE)');
    expect(await notification(ids.notificationId)).toEqual({
      status: 'failed',
      attempts: 1,
      last_error: 'SMTP server refused the message permanently (550, EENVELOPE)',
    });
    // The failure is logged (so the capture works), without the address, the name or the text.
    expect(output).toContain(`job notifications-email ${ids.jobId} failed (attempt 1 of 3, permanently)`);
    for (const secret of [to, 'no-such-user', DATA.guestName, 'booking reference']) expect(output).not.toContain(secret);
  });

  it('an admin retry of a dead-lettered email sends it once the cause is fixed', async () => {
    const to = 'fixed-later@example.com';
    smtp.reply((recipient) => (recipient === to ? 550 : 'accept'));
    const { notificationId, jobId } = await queue(to);
    await settled(jobId, 'failed');
    smtp.reply(() => 'accept');
    await t.http.post(`/v1/admin/jobs/${jobId}/retry`).set(admin()).set('X-Idempotency-Key', randomUUID()).expect(200);
    await settled(jobId, 'completed');
    expect(smtp.received.filter((m) => m.to.includes(to))).toHaveLength(1);
    expect(await notification(notificationId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('defers (to retry) when the SMTP server is down', async () => {
    const down = await startSmtpServer();
    await down.close(); // a port nothing listens on
    const other = await createTestApp({ env: { SMTP_URL: down.url } });
    try {
      const notifications = other.app.get(NotificationsService, { strict: false });
      const id = await other.app
        .get(TransactionHost)
        .run(() =>
          notifications.queueEmail({
            template: 'payment_failed',
            to: 'x@example.com',
            userId: 'u',
            reservationId: null,
            data: DATA,
          }),
        );
      await waitFor('a deferred attempt', async () => {
        const [row] = await other.dataSource.query(`SELECT status, attempts, last_error FROM notifications WHERE id = $1`, [id]);
        return row.attempts === 1;
      });
      const [row] = await other.dataSource.query(`SELECT status, last_error FROM notifications WHERE id = $1`, [id]);
      expect(row).toEqual({ status: 'queued', last_error: 'SMTP delivery failed (ESOCKET)' });
    } finally {
      await other.close();
    }
  });
});
