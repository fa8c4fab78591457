import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { TransactionHost, RecurringPass } from '@holdfast/database';
import { AppError, MAX_INPUT_DEPTH, nestedDeeperThan } from '@holdfast/errors';
import { intentFromStripeObject } from '../payments/intent-mapper';
import { METRIC, PaymentMetrics } from '../payments/metrics.service';
import { PaymentEventRelay } from '../payments/payment-event-relay';
import { PAYMENT_GATEWAY, WebhookSignatureError, type PaymentGateway, type ProviderEvent } from '../payments/payment-gateway';
import { PaymentOutcomes } from '../payments/payment-outcome.port';
import { PaymentsService } from '../payments/payments.service';
import { RefundsService } from '../payments/refunds.service';

/** What the provider is told: 2xx means "delivered, do not send again". */
export interface WebhookAck {
  received: true;
  duplicate?: boolean;
}

/**
 * processed: applied; pending: names a payment we do not know yet; ignored: a type we do
 * not handle; unprocessable: signed, but its object is not what its type promises (kept
 * with the reason in `error`, acknowledged, nothing applied).
 */
type EventOutcome = 'processed' | 'pending' | 'ignored' | 'unprocessable';

/** One refund each: created (in our API call or in the dashboard) or changed (e.g. pending -> succeeded). */
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'charge.refund.updated']);

const PENDING_INTERVAL_NAME = 'webhook-pending-events';
const PENDING_INTERVAL_MS = 30_000;

/**
 * The intent a stored event is about (a PaymentIntent's id, or a Charge's
 * `payment_intent`, an id or an expanded object) and the payment id its metadata names,
 * when that is a UUID: the two ways `applyIntent` finds our payment row.
 */
const EVENT_KEYS = `
  CROSS JOIN LATERAL (SELECT e.payload->'data'->'object' AS o) obj
  CROSS JOIN LATERAL (
    SELECT CASE WHEN e.type LIKE 'payment_intent.%' THEN obj.o->>'id'
                ELSE COALESCE(obj.o->'payment_intent'->>'id', obj.o->>'payment_intent') END AS intent_id,
           CASE WHEN e.type LIKE 'payment_intent.%'
                 AND obj.o->'metadata'->>'paymentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN (obj.o->'metadata'->>'paymentId')::uuid END AS payment_id
  ) k`;

/**
 * Stripe events (and the simulated provider's, which arrive through the same path):
 * verified over the raw body, de-duplicated by event id, and applied in ONE transaction
 * together with everything they change (payment, refunds, reservation, inventory, the
 * event row itself). Application goes through `PaymentsService.applyIntent`, whose state
 * machine only moves forward, so duplicates and any delivery order end in the same state.
 */
@Injectable()
export class WebhooksService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly recurring = new RecurringPass(this.scheduler, PENDING_INTERVAL_NAME, this.logger);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly outcomes: PaymentOutcomes,
    private readonly metrics: PaymentMetrics,
    private readonly relay: PaymentEventRelay,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {}

  /** The simulated provider delivers its signed events through the same code path as Stripe's. */
  onModuleInit(): void {
    this.relay.register((rawBody, signature) => this.handle(rawBody, signature).then(() => undefined));
  }

  onApplicationBootstrap(): void {
    this.recurring.start(PENDING_INTERVAL_MS, () => this.applyPending());
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /**
   * Verifies and applies one delivery. The event row and every change it causes commit
   * together; if anything throws, all of it rolls back (the event row included), the
   * caller answers 500 and the provider's retry is processed afresh. A duplicate delivery
   * of an event already stored is acknowledged and changes nothing.
   *
   * @throws AppError VALIDATION_FAILED when the signature is missing, wrong or too old (nothing is stored).
   */
  async handle(rawBody: Buffer, signature: string | undefined): Promise<WebhookAck> {
    const event = this.verify(rawBody, signature);
    // A signed event whose object cannot be applied would fail the same way on every one
    // of Stripe's retries: it is stored as unprocessable, with why, and acknowledged.
    const problem = unprocessable(event.type, event.object);
    // Always a transaction of its own: a delivery is its own unit of work, even when the
    // simulated provider's delivery inherits the async context of the call that caused it.
    const outcome = await this.txHost.outside(() =>
      this.txHost.run(async () => {
        const inserted = (await this.txHost.manager.query(
          `INSERT INTO webhook_events (id, type, payload, status, processed_at, error) VALUES ($1, $2, $3::jsonb, $4, now(), $5)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
          [event.id, event.type, storablePayload(rawBody), problem ? 'unprocessable' : 'processed', problem],
        )) as { id: string }[];
        if (inserted.length === 0) return 'duplicate' as const;
        if (problem) return 'unprocessable' as const;
        const result = await this.dispatch(event.type, event.object as Record<string, unknown>, event.created);
        if (result !== 'processed') await this.setStatus(event.id, result);
        return result;
      }),
    );
    if (outcome === 'duplicate') {
      this.logger.debug({ eventId: event.id, type: event.type }, 'duplicate webhook event acknowledged');
      return { received: true, duplicate: true };
    }
    if (outcome === 'unprocessable') {
      this.logger.warn(
        { eventId: event.id, type: event.type, reason: problem },
        'unprocessable webhook event stored and acknowledged',
      );
      return { received: true };
    }
    this.observeDelay(event.type, event.created);
    if (outcome === 'pending')
      this.logger.log({ eventId: event.id, type: event.type }, 'webhook event kept until its payment appears');
    await this.flushRefunds();
    return { received: true };
  }

  /**
   * Applies stored `pending` events (oldest first) whose payment now exists, each in its
   * own transaction, claimed with FOR UPDATE SKIP LOCKED so replicas share the work.
   * Runs every 30 s; call it with an intent id right after an intent is recorded so its
   * early events apply at once. An event whose handler fails stays pending (its error
   * recorded) for the next run. Call it outside any transaction (after the caller
   * commits). Returns how many were applied.
   */
  async applyPending(intentId?: string): Promise<number> {
    if (this.txHost.inTransaction) throw new Error('applyPending runs its own transactions: call it after the caller commits');
    const failed: string[] = [];
    let applied = 0;
    for (;;) {
      let claimed = null as string | null;
      try {
        const done = await this.txHost.run(async () => {
          const [row] = (await this.txHost.manager.query(
            `SELECT e.id, e.type, e.payload, e.received_at FROM webhook_events e ${EVENT_KEYS}
              WHERE e.status = 'pending' AND NOT (e.id = ANY($2::text[]))
                AND ($1::text IS NULL OR k.intent_id = $1)
                AND EXISTS (SELECT 1 FROM payments p WHERE p.provider_intent_id = k.intent_id OR p.id = k.payment_id)
              ORDER BY e.received_at, e.id LIMIT 1
              FOR UPDATE OF e SKIP LOCKED`,
            [intentId ?? null, failed],
          )) as { id: string; type: string; payload: { created?: unknown; data?: { object?: unknown } } }[];
          if (!row) return null;
          claimed = row.id;
          const object = row.payload.data?.object;
          const result =
            object !== null && typeof object === 'object'
              ? await this.dispatch(row.type, object as Record<string, unknown>, row.payload.created)
              : 'ignored';
          if (result === 'pending') {
            // Matched in SQL but not by applyIntent: leave it for a later run rather than spin.
            failed.push(row.id);
            return row;
          }
          await this.setStatus(row.id, result);
          if (result === 'processed' && typeof row.payload.created === 'number') this.observeDelay(row.type, row.payload.created);
          applied++;
          return row;
        });
        if (!done) break;
      } catch (error) {
        if (!claimed) throw error;
        failed.push(claimed);
        this.logger.error({ err: error, eventId: claimed }, 'pending webhook event could not be applied; it stays pending');
        await this.recordError(claimed, error);
      }
    }
    if (applied > 0) {
      this.logger.log(`applied ${applied} pending webhook events`);
      await this.flushRefunds();
    }
    return applied;
  }

  private verify(rawBody: Buffer, signature: string | undefined): ProviderEvent {
    try {
      return this.gateway.verifyEvent(rawBody, signature, this.clock.nowMs());
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      this.metrics.increment(METRIC.webhookSignatureFailures);
      this.logger.warn({ reason: error.message }, 'webhook signature verification failed');
      throw new AppError(
        'VALIDATION_FAILED',
        'The Stripe-Signature header is missing, does not match the body, or its timestamp is outside the tolerance',
      );
    }
  }

  /** Applies one event's object, inside the caller's transaction. `created`: the event's, in Unix seconds. */
  private async dispatch(type: string, object: Record<string, unknown>, created: unknown): Promise<EventOutcome> {
    if (type.startsWith('payment_intent.')) {
      const createdAt =
        typeof created === 'number' && Number.isFinite(created) && created > 0 ? new Date(created * 1000) : undefined;
      const applied = await this.payments.applyIntent(intentFromStripeObject(object), createdAt);
      return applied ? 'processed' : 'pending';
    }
    if (type === 'charge.refunded') {
      const list = (object.refunds as { data?: unknown } | null | undefined)?.data;
      const amountRefunded =
        Number.isSafeInteger(object.amount_refunded) && (object.amount_refunded as number) > 0
          ? (object.amount_refunded as number)
          : 0;
      return this.recordRefunds(object.payment_intent, amountRefunded, Array.isArray(list) ? list : []);
    }
    if (REFUND_EVENTS.has(type)) return this.recordRefunds(object.payment_intent, 0, [object]);
    return 'ignored';
  }

  /**
   * Refunds the provider made (ours, or ones made in its dashboard): recorded so our
   * refunded amount equals the provider's; a full refund also ends the reservation.
   * `charge.refunded` carries the charge's `amount_refunded` (and, before API version
   * 2022-11-15 or when expanded, its refunds); the `refund.*` events carry one refund each,
   * which is how a dashboard refund gets its own row on current API versions.
   */
  private async recordRefunds(intent: unknown, amountRefunded: number, list: unknown[]): Promise<EventOutcome> {
    const intentId = idOf(intent);
    if (!intentId) return 'ignored'; // a charge without a PaymentIntent is none of ours
    const refunds = list
      .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object')
      .filter((r) => typeof r.id === 'string' && Number.isSafeInteger(r.amount) && (r.amount as number) > 0)
      .map((r) => ({
        id: r.id as string,
        amount: r.amount as number,
        status: String(r.status),
        refundId: ourRefundId(r.metadata),
      }));
    const result = await this.refunds.recordProviderRefunds(intentId, amountRefunded, refunds);
    if (!result) return 'pending';
    if (result.fullyRefunded) await this.outcomes.paymentRefunded(result.reservationId, result.paymentId, 'REFUNDED');
    return 'processed';
  }

  private async setStatus(eventId: string, status: EventOutcome): Promise<void> {
    await this.txHost.manager.query(
      `UPDATE webhook_events SET status = $2::text,
              processed_at = CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END,
              error = CASE WHEN $2::text = 'pending' THEN error END
        WHERE id = $1`,
      [eventId, status],
    );
  }

  /** After the rollback, on its own, so the reason survives for whoever looks at the event. */
  private async recordError(eventId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.txHost.manager
      .query(`UPDATE webhook_events SET error = $2 WHERE id = $1 AND status = 'pending'`, [eventId, message.slice(0, 1000)])
      .catch((e: unknown) => this.logger.warn({ err: e, eventId }, 'could not record a webhook event error'));
  }

  /** Refunds requested while applying (inventory gone) go to the provider only after the commit. */
  private async flushRefunds(): Promise<void> {
    try {
      await this.refunds.flushPending();
    } catch (error) {
      this.logger.error({ err: error }, 'pending refunds could not be sent; reconciliation will retry them');
    }
  }

  private observeDelay(type: string, created: number): void {
    if (!Number.isFinite(created) || created <= 0) return;
    this.metrics.observe(METRIC.webhookDelaySeconds, Math.max(0, Date.now() / 1000 - created), { type });
  }
}

/**
 * Why a signed event's object cannot be applied, or null when it can (or when its type
 * is one we ignore anyway). What its type promises: a PaymentIntent with a string id and a
 * known status for `payment_intent.*`; a Charge or Refund with a string id, whose
 * `payment_intent` is absent, an id, or an expanded object with one, for the refund events.
 */
function unprocessable(type: string, object: unknown): string | null {
  if (nestedDeeperThan(object, MAX_INPUT_DEPTH)) return `data.object is nested more than ${MAX_INPUT_DEPTH} levels deep`;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return `data.object is ${object === null ? 'null' : Array.isArray(object) ? 'an array' : typeof object}, not an object`;
  }
  const o = object as Record<string, unknown>;
  if (type.startsWith('payment_intent.')) {
    try {
      intentFromStripeObject(o);
      return null;
    } catch (error) {
      return `data.object is ${error instanceof Error ? error.message : 'not a PaymentIntent'}`;
    }
  }
  if (type === 'charge.refunded' || REFUND_EVENTS.has(type)) {
    if (typeof o.id !== 'string' || o.id === '') return 'data.object has no string id';
    const intent = o.payment_intent;
    if (intent !== undefined && intent !== null && idOf(intent) === null) return 'data.object.payment_intent is not an id';
  }
  return null;
}

/**
 * The raw body as PostgreSQL's jsonb accepts it: JSON allows `\u0000` in strings, jsonb
 * does not (it would fail the insert, and so every retry). Each such escape (and only an
 * escape, not an escaped backslash followed by "u0000") becomes U+FFFD in the stored copy.
 */
function storablePayload(rawBody: Buffer): string {
  return rawBody.toString('utf8').replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

/** An expandable field: the id itself, or the expanded object's id. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** Our refund row's id, which `RefundsService` puts in the provider refund's metadata. */
function ourRefundId(metadata: unknown): string | null {
  const id = metadata !== null && typeof metadata === 'object' ? (metadata as { refundId?: unknown }).refundId : undefined;
  return typeof id === 'string' ? id : null;
}
