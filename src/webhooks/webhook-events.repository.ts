import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';

/** What became of a stored event (see `WebhookEventEntity.status`). */
export type WebhookEventStatus = 'processed' | 'pending' | 'ignored' | 'unprocessable';

/** A stored event as it is applied again: its type and the parts of its payload that matter. */
export interface StoredWebhookEvent {
  id: string;
  type: string;
  payload: { created?: unknown; data?: { object?: unknown } };
}

/** The intent and payment a stored pending event is about (either may be null). */
export interface PendingEventKey {
  intentId: string | null;
  paymentId: string | null;
}

/**
 * The intent a stored event is about (a PaymentIntent's id, or a Charge's
 * `payment_intent`, an id or an expanded object) and the payment id its metadata names,
 * when that is a UUID: the two ways payments finds the payment an event is about.
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

/** The webhook_events table: each provider event stored once, by the provider's id. */
@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Stores an event as processed (its application, in the same transaction, may set
   * another status). False when an event with that id is already stored (a duplicate).
   */
  async recordOnce(id: string, type: string, payloadJson: string): Promise<boolean> {
    const inserted = await this.txHost.rows<{ id: string }>(
      `INSERT INTO webhook_events (id, type, payload, status, processed_at) VALUES ($1, $2, $3::jsonb, 'processed', now())
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, type, payloadJson],
    );
    return inserted.length > 0;
  }

  /** Sets what became of an event; `pending` keeps it for later (and keeps its last error). */
  async setStatus(id: string, status: WebhookEventStatus, error: string | null = null): Promise<void> {
    await this.txHost.rows(
      `UPDATE webhook_events SET status = $2::text,
              processed_at = CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END,
              error = CASE WHEN $2::text = 'pending' THEN error ELSE $3::text END
        WHERE id = $1`,
      [id, status, error],
    );
  }

  /** Why a pending event could not be applied, kept for whoever looks at it. */
  async recordError(id: string, message: string): Promise<void> {
    await this.txHost.rows(`UPDATE webhook_events SET error = $2 WHERE id = $1 AND status = 'pending'`, [
      id,
      message.slice(0, 1000),
    ]);
  }

  /** The distinct intents and payments pending events are about (`intentId`: only those about it), but `except`'s. */
  async pendingKeys(intentId: string | null, except: string[]): Promise<PendingEventKey[]> {
    return this.txHost.rows<PendingEventKey>(
      `SELECT DISTINCT k.intent_id AS "intentId", k.payment_id AS "paymentId" FROM webhook_events e ${EVENT_KEYS}
        WHERE e.status = 'pending' AND NOT (e.id = ANY($2::text[]))
          AND ($1::text IS NULL OR k.intent_id = $1)`,
      [intentId, except],
    );
  }

  /**
   * Claims the oldest pending event (but `except`'s) about one of the intents or payments
   * given, FOR UPDATE SKIP LOCKED so replicas share the work; null when there is none.
   */
  async claimPending(
    intentId: string | null,
    except: string[],
    about: { intentIds: string[]; paymentIds: string[] },
  ): Promise<StoredWebhookEvent | null> {
    const [row] = await this.txHost.rows<StoredWebhookEvent>(
      `SELECT e.id, e.type, e.payload FROM webhook_events e ${EVENT_KEYS}
        WHERE e.status = 'pending' AND NOT (e.id = ANY($2::text[]))
          AND ($1::text IS NULL OR k.intent_id = $1)
          AND (k.intent_id = ANY($3::text[]) OR k.payment_id = ANY($4::uuid[]))
        ORDER BY e.received_at, e.id LIMIT 1
        FOR UPDATE OF e SKIP LOCKED`,
      [intentId, except, about.intentIds, about.paymentIds],
    );
    return row ?? null;
  }
}
