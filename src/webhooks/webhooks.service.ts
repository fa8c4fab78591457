import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '@holdfast/database';
import { PaymentsService } from '../payments/payments.service';
import { RefundsService } from '../payments/refunds.service';
import { type StoredWebhookEvent, WebhookEventsRepository } from './webhook-events.repository';

/** What the provider is told: 2xx means "delivered, do not send again". */
export interface WebhookAck {
  received: true;
  duplicate?: boolean;
}

const PENDING_INTERVAL_NAME = 'webhook-pending-events';
const PENDING_INTERVAL_MS = 30_000;

/**
 * Provider events (Stripe's, and the simulated provider's, which arrive through the same
 * path): verified over the raw body (by payments), stored once by event id, and applied
 * through `PaymentsService.applyProviderEvent` in ONE transaction together with
 * everything they change (payment, refunds, reservation, inventory, the event row
 * itself). Payments' state machine only moves forward, so duplicates and any delivery
 * order end in the same state. This module knows nothing of the provider's objects.
 */
@Injectable()
export class WebhooksService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly recurring = new RecurringPass(this.scheduler, PENDING_INTERVAL_NAME, this.logger);

  constructor(
    readonly txHost: TransactionHost,
    private readonly events: WebhookEventsRepository,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  /** The simulated provider delivers its signed events through the same code path as Stripe's. */
  onModuleInit(): void {
    this.payments.onProviderEventDelivery((rawBody, signature) => this.handle(rawBody, signature).then(() => undefined));
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
   * of an event already stored is acknowledged and changes nothing. A signed event whose
   * object cannot be applied would fail the same way on every retry: it is stored as
   * unprocessable, with why, and acknowledged.
   *
   * @throws AppError VALIDATION_FAILED when the signature is missing, wrong or too old (nothing is stored).
   */
  async handle(rawBody: Buffer, signature: string | undefined): Promise<WebhookAck> {
    const event = this.payments.verifyProviderEvent(rawBody, signature);
    // Always a transaction of its own: a delivery is its own unit of work, even when the
    // simulated provider's delivery inherits the async context of the call that caused it.
    const applied = await this.txHost.outside(() =>
      this.txHost.run(async () => {
        if (!(await this.events.recordOnce(event.id, event.type, storablePayload(rawBody)))) return null;
        const result = await this.payments.applyProviderEvent(event);
        if (result.outcome !== 'processed') await this.events.setStatus(event.id, result.outcome, result.reason ?? null);
        return result;
      }),
    );
    if (!applied) {
      this.logger.debug({ eventId: event.id, type: event.type }, 'duplicate webhook event acknowledged');
      return { received: true, duplicate: true };
    }
    if (applied.outcome === 'unprocessable') {
      this.logger.warn(
        { eventId: event.id, type: event.type, reason: applied.reason },
        'unprocessable webhook event stored and acknowledged',
      );
      return { received: true };
    }
    this.payments.observeEventDelay(event.type, event.created);
    if (applied.outcome === 'pending')
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
          const row = await this.claimApplicable(intentId ?? null, failed);
          if (!row) return null;
          claimed = row.id;
          const { outcome, reason } = await this.payments.applyProviderEvent({
            type: row.type,
            object: row.payload.data?.object,
            created: row.payload.created,
          });
          if (outcome === 'pending') {
            // Matched by its keys but not by payments: leave it for a later run rather than spin.
            failed.push(row.id);
            return row;
          }
          await this.events.setStatus(row.id, outcome, reason ?? null);
          if (outcome === 'processed' && typeof row.payload.created === 'number')
            this.payments.observeEventDelay(row.type, row.payload.created);
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

  /** The oldest pending event (but `except`'s) whose payment payments now knows, claimed; or null. */
  private async claimApplicable(intentId: string | null, except: string[]): Promise<StoredWebhookEvent | null> {
    const keys = await this.events.pendingKeys(intentId, except);
    if (keys.length === 0) return null;
    const known = await this.payments.knownPayments(keys);
    if (known.intentIds.length === 0 && known.paymentIds.length === 0) return null;
    return this.events.claimPending(intentId, except, known);
  }

  /** After the rollback, on its own, so the reason survives for whoever looks at the event. */
  private async recordError(eventId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.events
      .recordError(eventId, message)
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
}

/**
 * The raw body as PostgreSQL's jsonb accepts it: JSON allows `\u0000` in strings, jsonb
 * does not (it would fail the insert, and so every retry). Each such escape (and only an
 * escape, not an escaped backslash followed by "u0000") becomes U+FFFD in the stored copy.
 */
function storablePayload(rawBody: Buffer): string {
  return rawBody.toString('utf8').replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}
