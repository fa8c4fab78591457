import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import Stripe from 'stripe';
import { TransactionHost } from '@holdfast/database';
import { createApp } from '../src/app.setup';
import { ReconciliationJob } from '../src/payments/reconciliation.job';
import { RefundsService } from '../src/payments/refunds.service';
import { createOffering, createSlot } from './factories/inventory.factory';
import type { FakeStripe } from './support/fake-stripe/index';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createStripeTestApp, holdAndConvert } from './support/stripe-app';
import type { TestApp } from './support/test-app';

const WEBHOOK_SECRET = 'whsec_jobs_replicas_secret';
const COUNT = 4;

/**
 * DESIGN.md section 8, "every job is safe with many replicas", for the passes that call
 * the provider: two app instances (two pools, two gateways) on one database run the same
 * pass at the same instant against the fake Stripe server, which counts requests.
 *
 * The race is made certain: a test connection holds a table lock that each pass's claim
 * statement queues behind, and is let go only once both are waiting (pg_locks).
 * A pass that claims nothing (it reads without a lock) never waits: then the gate opens
 * as soon as both passes are done, and the counts show the duplicates.
 */
describe('jobs on two replicas (fake Stripe, real Postgres)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let second: NestExpressApplication;
  let client: Stripe;
  let webhookUrl: string;
  let experienceId: string;
  let slotId: string;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });

  beforeAll(async () => {
    ({ fake, t, client, webhookUrl } = await createStripeTestApp({
      secretKey: 'sk_test_jobs_replicas',
      clientKey: 'sk_test_jobs_replicas_phone',
      webhookSecret: WEBHOOK_SECRET,
    }));
    // The second replica: the same configuration, so the same database.
    second = await createApp(t.config);
    await second.init();
    experienceId = (await createOffering(t.dataSource, { basePriceCents: 9000 })).id;
    slotId = (await createSlot(t.dataSource, experienceId, { capacity: 100 })).id;
  });

  afterAll(async () => {
    try {
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    } finally {
      await second?.close();
      await t?.close();
      await fake?.stop();
    }
  });

  /** hold -> convert -> paid on the phone: the intent succeeded at the provider. Returns the intent's id. */
  async function paid(): Promise<string> {
    const { intentId } = await holdAndConvert(t, alice(), { experienceId, timeSlotId: slotId });
    await client.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' });
    return intentId;
  }

  const paymentOf = async (intentId: string) =>
    (
      (await t.dataSource.query(`SELECT id, status FROM payments WHERE provider_intent_id = $1`, [intentId])) as {
        id: string;
        status: string;
      }[]
    )[0];

  /**
   * Runs `passes` at once behind a lock on `table` that their claim statement needs; lets
   * them go when all wait there, or when all ended without waiting.
   */
  async function raced<T>(table: string, passes: (() => Promise<T>)[]): Promise<T[]> {
    const gate = new pg.Client({ connectionString: t.db.url });
    await gate.connect();
    try {
      await gate.query('BEGIN');
      await gate.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      let settled = 0;
      const running = passes.map((pass) => pass().finally(() => settled++));
      for (;;) {
        // pg_locks, not pg_stat_activity's query text: a backend blocked while its statement
        // is parsed (the extended protocol) still shows its previous statement there.
        const { rows } = await gate.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'relation' AND relation = $1::regclass AND NOT granted`,
          [table],
        );
        // `>=`: a replica's own scheduled pass may be queued there too.
        if (rows[0].n >= passes.length || settled === passes.length) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await gate.query('COMMIT');
      return await Promise.all(running);
    } finally {
      await gate.query('ROLLBACK').catch(() => undefined);
      await gate.end();
    }
  }

  it(`two flushes at once send each of ${COUNT} pending refunds to the provider once`, async () => {
    const payments: string[] = [];
    for (let i = 0; i < COUNT; i++) payments.push((await paymentOf(await paid())).id);
    await fake.deliverAll();
    for (const id of payments)
      expect(await t.dataSource.query(`SELECT status FROM payments WHERE id = $1`, [id])).toEqual([{ status: 'succeeded' }]);
    // Written pending and not sent (as after a crash, or while the provider was down).
    const refundIds: string[] = [];
    for (const id of payments) {
      const refund = await t.app
        .get(TransactionHost)
        .run(() => t.app.get(RefundsService).requestRefund(id, { amount: 1000, source: 'admin' }));
      refundIds.push(refund.refundId);
    }
    const before = fake.requests.length;

    await raced('refunds', [() => t.app.get(RefundsService).flushPending(), () => second.get(RefundsService).flushPending()]);

    const posts = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.template === '/v1/refunds');
    expect(posts.map((r) => r.idempotencyKey).sort()).toEqual(refundIds.map((id) => `refund:${id}`).sort());
    const rows = (await t.dataSource.query(`SELECT status, claimed_until FROM refunds WHERE id = ANY($1::uuid[])`, [
      refundIds,
    ])) as { status: string; claimed_until: Date | null }[];
    expect(rows).toEqual(Array(COUNT).fill({ status: 'succeeded', claimed_until: null }));
    await fake.deliverAll();
  });

  it(`two reconciliation passes at once read each of ${COUNT} payments from the provider once`, async () => {
    fake.setWebhookTarget(null); // the webhooks are lost: only reconciliation can learn of the payments
    const intents: string[] = [];
    try {
      for (let i = 0; i < COUNT; i++) intents.push(await paid());
    } finally {
      fake.setWebhookTarget(webhookUrl, WEBHOOK_SECRET);
    }
    for (const intentId of intents) expect((await paymentOf(intentId)).status).not.toBe('succeeded');
    const before = fake.requests.length;

    const looked = await raced('payments', [
      () => t.app.get(ReconciliationJob).reconcile(0),
      () => second.get(ReconciliationJob).reconcile(0),
    ]);

    const reads = fake.requests.slice(before).filter((r) => r.method === 'GET' && r.template === '/v1/payment_intents/:id');
    expect(reads.map((r) => r.path.split('/').pop()).sort()).toEqual([...intents].sort());
    expect(looked.reduce((sum, n) => sum + n, 0)).toBe(COUNT);
    for (const intentId of intents) expect((await paymentOf(intentId)).status).toBe('succeeded');
    const claims = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM payments WHERE reconcile_claimed_until IS NOT NULL`,
    )) as { n: number }[];
    expect(claims[0].n).toBe(0);
    await fake.deliverAll();
  });
});
