import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {
  BreakerOpenError,
  createIntegrationPolicy,
  IntegrationTimeoutError,
  RateLimitedError,
  type IntegrationObserver,
  type IntegrationPolicy,
} from '@holdfast/resilience';
import type { InventoryConfig } from './inventory.config';
import {
  ImsRefusedError,
  ImsRejectedError,
  ImsUnavailableError,
  type ImsAvailability,
  type ImsOrder,
  type ImsReservation,
  type ImsReserveRequest,
  type ImsStock,
  type ImsUnavailableReason,
  type InventorySystem,
} from './ims.port';

/** The policy's name: the integration label of metrics and of the observer's events. */
export const IMS_INTEGRATION = 'ims';

/** Reasons that say the IMS is failing (the breaker counts them; `failure` outcome). */
const FAILURES = new Set<ImsUnavailableReason>(['unreachable', 'timeout', 'server_error', 'malformed_response', 'unauthorized']);
/** Failures worth another attempt (for the calls that may be repeated). */
const RETRYABLE = new Set<ImsUnavailableReason>(['unreachable', 'timeout', 'server_error']);
/** The most of an answer we read: the IMS's answers are a few fields. */
const MAX_BODY_BYTES = 64 * 1024;
/** Retry-After when the IMS failed but the breaker is still closed. */
const RETRY_AFTER_SECONDS = 5;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ImsTlsFiles {
  /** Client certificate and key (PEM) for mTLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The CA the IMS's certificate must chain to (PEM), instead of the system's. */
  ca?: string | Buffer;
}

export interface ImsHttpClientOptions {
  /** The IMS's origin and optional path prefix: `https://ims.example.com/api`. */
  baseUrl: string;
  apiKey: string;
  /** Per attempt, the whole answer included (IMS_TIMEOUT_MS, 2 s). */
  timeoutMs: number;
  /** IMS_RELEASE: the IMS serves DELETE /inventory/reservations/{id}. */
  release: boolean;
  tls?: ImsTlsFiles;
  /** Extra attempts for calls that may be repeated (all of ours: reads, DELETE, keyed POSTs). Default 2. */
  retries?: number;
  /** Backoff between attempts (cockatiel's exponential, jittered). Default 100 ms doubling up to 1 s. */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Consecutive failed calls that open the breaker (default 5), and how long it stays open (default 30 s). */
  breaker?: { threshold: number; halfOpenAfterMs: number };
}

/** The transport's answer: status and raw body. */
interface RawResponse {
  status: number;
  body: string;
}

/** A failure inside one attempt, before it becomes the caller's ImsUnavailableError. */
class AttemptError extends Error {
  constructor(
    readonly reason: ImsUnavailableReason,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/** Calls per second this replica sends the IMS at most (a call waits up to 500 ms for its turn, else 503). */
export const IMS_RATE_LIMIT_PER_SECOND = 50;

/**
 * The IMS adapter over HTTP: DESIGN.md section 10's contract, exactly.
 *
 * - Headers: `X-Api-Key` on every call; `Idempotency-Key` on every POST, derived from our
 *   ids (`hold-<reference>-<itemId>[-<start>-<end>]`, `confirm-<reference>`), so a retry, ours
 *   or a later job's, can never reserve or confirm twice.
 * - Every attempt is aborted after `timeoutMs` (2 s), the body included (an AbortSignal on
 *   the request). Calls are repeated (2 more attempts, jittered backoff) only when they may
 *   be: every call here is a read, a DELETE or a keyed POST, and only after a failure that
 *   may pass (unreachable, timeout, 5xx/408/429). A malformed answer, a 401 or a 4xx is not
 *   retried.
 * - A consecutive-failure circuit breaker (libs/resilience over cockatiel): 5 failed calls
 *   open it; then every call fails at once with `ImsUnavailableError('breaker_open')`
 *   without a request, until after 30 s one trial call goes through (half-open).
 * - Strict answers: a 2xx is used only if its body is the JSON the contract says, about the
 *   item asked for, with non-negative integer quantities; anything else is
 *   `ImsUnavailableError('malformed_response')`, never trusted.
 * - mTLS: with a client certificate and key (and optionally a CA) the connection presents
 *   them (an https.Agent). Transport is node:https/node:http, not fetch: Node 20's fetch takes
 *   a custom TLS configuration only through an undici Agent, and undici is not a dependency.
 * - Outcomes (success with its duration, failure, timeout, breaker open) and breaker state
 *   changes go to the `IntegrationObserver` given, the shared integration metrics' hook.
 */
export class ImsHttpClient implements InventorySystem {
  readonly mode = 'http' as const;
  readonly releaseSupported: boolean;
  private readonly base: URL;
  private readonly policy: IntegrationPolicy;
  private readonly agent: http.Agent;
  private readonly halfOpenAfterMs: number;
  private openedAt = 0;

  constructor(
    private readonly options: ImsHttpClientOptions,
    observer?: IntegrationObserver,
  ) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error('IMS_BASE_URL must be http(s)');
    this.releaseSupported = options.release;
    const breaker = options.breaker ?? { threshold: 5, halfOpenAfterMs: 30_000 };
    this.halfOpenAfterMs = breaker.halfOpenAfterMs;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 64, ...options.tls })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.policy = createIntegrationPolicy(
      {
        name: IMS_INTEGRATION,
        timeoutMs: options.timeoutMs,
        retries: options.retries ?? 2,
        backoff: { initialDelayMs: options.backoff?.initialDelayMs ?? 100, maxDelayMs: options.backoff?.maxDelayMs ?? 1000 },
        breaker,
        // Our side of the IMS's capacity: never more than this, whatever our own load.
        rateLimit: { perSecond: IMS_RATE_LIMIT_PER_SECOND, burst: IMS_RATE_LIMIT_PER_SECOND, maxWaitMs: 500 },
        isFailure: (error) =>
          error instanceof IntegrationTimeoutError || (error instanceof AttemptError && FAILURES.has(error.reason)),
        isRetryable: (error) =>
          error instanceof IntegrationTimeoutError || (error instanceof AttemptError && RETRYABLE.has(error.reason)),
      },
      {
        outcome: (event) => observer?.outcome(event),
        breakerStateChanged: (event) => {
          if (event.to === 'open') this.openedAt = Date.now();
          observer?.breakerStateChanged(event);
        },
      },
    );
  }

  /** Builds the client from the inventory config, reading the mTLS files (start-up fails if one is unreadable). */
  static fromConfig(config: InventoryConfig, observer?: IntegrationObserver): ImsHttpClient {
    if (!config.imsBaseUrl || !config.imsApiKey) throw new Error('IMS_BASE_URL and IMS_API_KEY are required when IMS_MODE=http');
    const read = (variable: string, file: string | null) => {
      if (file === null) return undefined;
      try {
        return readFileSync(file);
      } catch (error) {
        throw new Error(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
          cause: error,
        });
      }
    };
    const tls: ImsTlsFiles = {
      cert: read('IMS_CLIENT_CERT_FILE', config.imsTls.certFile),
      key: read('IMS_CLIENT_KEY_FILE', config.imsTls.keyFile),
      ca: read('IMS_CA_FILE', config.imsTls.caFile),
    };
    return new ImsHttpClient(
      {
        baseUrl: config.imsBaseUrl,
        apiKey: config.imsApiKey,
        timeoutMs: config.imsTimeoutMs,
        release: config.imsRelease,
        tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
      },
      observer,
    );
  }

  breakerOpen(): boolean {
    return this.policy.breakerState === 'open';
  }

  async stock(itemId: string): Promise<ImsStock> {
    return this.call('GET', `inventory/${encodeURIComponent(itemId)}/stock`, (body) => ({
      itemId: sameItem(body, itemId),
      available: quantity(body, 'available'),
    }));
  }

  async availability(itemId: string, startDate: string, endDate: string): Promise<ImsAvailability> {
    checkRange(startDate, endDate);
    const query = new URLSearchParams({ start_date: startDate, end_date: endDate });
    return this.call('GET', `inventory/${encodeURIComponent(itemId)}/availability?${query.toString()}`, (body) => {
      const unitsAvailable = quantity(body, 'units_available');
      if (typeof body.available !== 'boolean') throw malformed('availability.available is not a boolean');
      if (body.available !== unitsAvailable > 0) throw malformed('availability.available contradicts units_available');
      return { itemId: sameItem(body, itemId), available: body.available, unitsAvailable };
    });
  }

  async reserve(request: ImsReserveRequest, reference: string, durationMinutes: number): Promise<ImsReservation> {
    if (!Number.isInteger(durationMinutes) || durationMinutes < 1)
      throw new RangeError('durationMinutes must be a positive integer');
    let payload: Json;
    let key: string;
    if ('quantity' in request) {
      if (!Number.isInteger(request.quantity) || request.quantity < 1)
        throw new RangeError('quantity must be a positive integer');
      payload = { item_id: request.itemId, quantity: request.quantity, reference, duration_minutes: durationMinutes };
      key = `hold-${reference}-${request.itemId}`;
    } else {
      checkRange(request.startDate, request.endDate);
      payload = {
        item_id: request.itemId,
        start_date: request.startDate,
        end_date: request.endDate,
        reference,
        duration_minutes: durationMinutes,
      };
      key = `hold-${reference}-${request.itemId}-${request.startDate}-${request.endDate}`;
    }
    const post = { payload, idempotencyKey: key };
    const onStatus = (status: number) => {
      if (status === 409) throw new ImsRefusedError(request.itemId);
    };
    return this.call(
      'POST',
      'inventory/reserve',
      (body) => {
        const reservationId = nonEmpty(body, 'reservation_id');
        const expiresAt = typeof body.expires_at === 'string' ? new Date(body.expires_at) : null;
        if (!expiresAt || Number.isNaN(expiresAt.getTime())) throw malformed('reserve.expires_at is not a date-time');
        return { reservationId, expiresAt };
      },
      { post, onStatus },
    );
  }

  async confirmOrder(reference: string, reservationIds: string[]): Promise<ImsOrder> {
    if (reservationIds.length === 0) throw new RangeError('confirmOrder needs at least one reservation id');
    const post = { payload: { reference, reservation_ids: reservationIds }, idempotencyKey: `confirm-${reference}` };
    const onStatus = (status: number) => {
      if (status === 409 || status === 410) {
        throw new ImsRejectedError(reference, status, `The inventory system rejected the order of ${reference} (HTTP ${status})`);
      }
    };
    return this.call(
      'POST',
      'inventory/confirm_order',
      (body) => {
        if (body.status !== 'confirmed') throw malformed('confirm_order.status is not "confirmed"');
        return { orderId: nonEmpty(body, 'order_id') };
      },
      { post, onStatus },
    );
  }

  async release(reservationId: string): Promise<void> {
    if (!this.releaseSupported) throw new Error('The inventory system does not release reservations (IMS_RELEASE=false)');
    const onStatus = (status: number) => {
      if (status === 404 || status === 410) throw new Released(); // gone already: what we wanted
    };
    await this.call('DELETE', `inventory/reservations/${encodeURIComponent(reservationId)}`, () => undefined, { onStatus }).catch(
      (error: unknown) => {
        if (!(error instanceof Released)) throw error;
      },
    );
  }

  /** Closes idle keep-alive connections (app shutdown). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One call under the policy, every step inside each attempt: the request, the status
   * (`onStatus` may throw the caller's own error for a status it knows), the JSON body of a
   * 2xx, and `read`, which checks it (a wrong answer is a failed attempt, counted by the
   * breaker). Every call is marked idempotent: a GET or DELETE by nature, a POST by its
   * Idempotency-Key (required by the type).
   */
  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    read: (body: Json) => T,
    options: { post?: { payload: Json; idempotencyKey: string }; onStatus?: (status: number) => void } = {},
  ): Promise<T> {
    const url = new URL(path, this.base);
    try {
      return await this.policy.execute(
        async (signal) => {
          const response = await this.send(method, url, options.post, signal);
          options.onStatus?.(response.status);
          return read(parseAnswer(response));
        },
        { idempotent: method !== 'POST' || options.post !== undefined },
      );
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** The caller's error for what the policy threw: ours as they are, the rest as ImsUnavailableError. */
  private unavailable(error: unknown): unknown {
    if (error instanceof ImsRefusedError || error instanceof ImsRejectedError || error instanceof Released) return error;
    if (error instanceof BreakerOpenError) {
      const left = Math.max(1, Math.ceil((this.openedAt + this.halfOpenAfterMs - Date.now()) / 1000));
      return new ImsUnavailableError('breaker_open', 'The inventory system is unavailable (circuit breaker open)', left);
    }
    if (error instanceof IntegrationTimeoutError) {
      return new ImsUnavailableError(
        'timeout',
        `The inventory system did not answer within ${this.options.timeoutMs} ms`,
        RETRY_AFTER_SECONDS,
      );
    }
    if (error instanceof RateLimitedError) {
      return new ImsUnavailableError('server_error', error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    }
    if (error instanceof AttemptError) return new ImsUnavailableError(error.reason, error.message, RETRY_AFTER_SECONDS);
    if (error instanceof RangeError) return error;
    return new ImsUnavailableError('unreachable', `The inventory system call failed: ${String(error)}`, RETRY_AFTER_SECONDS);
  }

  /** One HTTP exchange, aborted by `signal` (the policy's per-attempt timeout), body included. */
  private send(method: string, url: URL, post: { payload: Json; idempotencyKey: string } | undefined, signal: AbortSignal) {
    const body = post ? JSON.stringify(post.payload) : undefined;
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Api-Key': this.options.apiKey };
    if (post) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body!));
      headers['Idempotency-Key'] = post.idempotencyKey;
    }
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(
              new AttemptError('malformed_response', `The inventory system answered more than ${MAX_BODY_BYTES} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(toAttemptError(error)));
      });
      req.on('error', (error) => reject(toAttemptError(error)));
      req.end(body);
    });
  }
}

/** DELETE of a reservation that is gone already: success. */
class Released extends Error {}

function toAttemptError(error: Error): Error {
  if (error instanceof AttemptError || error.name === 'AbortError') return error; // the policy recognises its own abort
  const code = (error as NodeJS.ErrnoException).code;
  return new AttemptError('unreachable', `The inventory system cannot be reached (${code ?? error.message})`);
}

/** A 2xx's JSON object; any other status as the failure it is. */
function parseAnswer(response: RawResponse): Json {
  const { status } = response;
  if (status >= 200 && status < 300) {
    if (response.body === '') return {};
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      throw malformed('the answer is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('the answer is not a JSON object');
    return body as Json;
  }
  if (status >= 500 || status === 408 || status === 429)
    throw new AttemptError('server_error', `The inventory system answered ${status}`);
  if (status === 401 || status === 403)
    throw new AttemptError('unauthorized', `The inventory system refused our credentials (${status})`);
  if (status === 404) throw new AttemptError('unknown_item', 'The inventory system does not know this item or reservation (404)');
  throw new AttemptError('bad_request', `The inventory system refused the request (${status})`);
}

function malformed(what: string): AttemptError {
  return new AttemptError('malformed_response', `The inventory system gave a malformed answer: ${what}`);
}

function sameItem(body: Json, itemId: string): string {
  if (body.item_id !== itemId) throw malformed('item_id is not the item asked for');
  return itemId;
}

function quantity(body: Json, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw malformed(`${field} is not a non-negative integer`);
  return value;
}

function nonEmpty(body: Json, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200)
    throw malformed(`${field} is not a non-empty string`);
  return value;
}

/** A `[startDate, endDate)` of real UTC days, end after start. */
export function checkRange(startDate: string, endDate: string): void {
  const start = DATE.test(startDate) ? Date.parse(`${startDate}T00:00:00Z`) : NaN;
  const end = DATE.test(endDate) ? Date.parse(`${endDate}T00:00:00Z`) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end) || new Date(start).toISOString().slice(0, 10) !== startDate) {
    throw new RangeError('startDate and endDate must be dates like 2026-12-01');
  }
  if (new Date(end).toISOString().slice(0, 10) !== endDate || end <= start)
    throw new RangeError('endDate must be after startDate');
}
