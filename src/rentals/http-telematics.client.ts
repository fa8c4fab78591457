import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IntegrationPolicy } from '@holdfast/resilience';
import type { RentalsConfig } from './rentals.config';
import {
  checkIdempotencyKey,
  checkVehicleId,
  TelematicsError,
  toTelematicsError,
  type LastLock,
  type LockReading,
  type Telematics,
  type TelematicsCommandOptions,
  type UnlockReading,
  type VehicleReading,
} from './telematics.port';

/** The most of an answer we read: the contract's answers are a few fields. */
const MAX_BODY_BYTES = 16 * 1024;
/** Attempts of one call at most (the budget usually ends it first). */
const MAX_ATTEMPTS = 4;
/** An odometer past this is not a car's. */
const MAX_ODOMETER_KM = 10_000_000;
/** A `refused` reason we pass on: a short machine word. */
const REASON = /^[a-z][a-z0-9_]{0,63}$/;
/** An ISO 8601 date-time with a zone (what the contract sends). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface HttpTelematicsOptions {
  /** The API's base URL: `https://telematics.example.com/api`. */
  baseUrl: string;
  apiKey: string;
  /** First pause between attempts; it doubles (100 ms, 200 ms, 400 ms), with jitter. */
  retryDelayMs?: number;
}

type Json = Record<string, unknown>;

/** A failed attempt worth another one with the same key: the request may not have arrived, or the API failed. */
class RetryableAttempt extends TelematicsError {}

/**
 * The telematics adapter over HTTP (docs/telematics.md, "The HTTP contract"):
 *
 *     POST {TELEMATICS_API_URL}/vehicles/{id}/unlock   Idempotency-Key, X-Api-Key  -> 200 {vehicleId, state: "unlocked", unlockedAt, odometerKm, energyLevelPercent}
 *     POST {TELEMATICS_API_URL}/vehicles/{id}/lock     Idempotency-Key, X-Api-Key  -> 200 {vehicleId, state: "locked", lockedAt, ...}
 *     GET  {TELEMATICS_API_URL}/vehicles/{id}/last-lock X-Api-Key                  -> 200 {vehicleId, lastLock: null | {lockedAt, odometerKm, energyLevelPercent, latitude, longitude}}
 *
 * - One budget per call (the policy's timeout, TELEMATICS_TIMEOUT_MS): the request, the
 *   answer's body and every retry fit in it; past it the call fails `timeout`.
 * - Retried only where a repeat is safe and may help: a connection error or a 5xx, with the
 *   same Idempotency-Key (the API opens the car once per key), after 100, 200, 400 ms
 *   (jittered) while the budget lasts. A 4xx or an answer we refuse is never retried.
 * - Strict answers: a 200 is used only if it is JSON about the vehicle asked for, in the
 *   state asked for, with a zoned date-time and readings in range (unknown fields are
 *   ignored); anything else is `unavailable`, never trusted.
 * - 409 `{error: "refused", reason}` and 404 (unknown vehicle) are `refused`: the API is up
 *   and said no, so they do not count against the breaker.
 */
export class HttpTelematicsClient implements Telematics {
  readonly mode = 'http' as const;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly retryDelayMs: number;

  constructor(
    private readonly options: HttpTelematicsOptions,
    private readonly policy: IntegrationPolicy,
  ) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error('TELEMATICS_API_URL must be http(s)');
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 32 })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  /** The client TELEMATICS_API_URL and TELEMATICS_API_KEY describe, under `policy` (registerTelematicsPolicy). */
  static fromConfig(config: RentalsConfig, policy: IntegrationPolicy): HttpTelematicsClient {
    if (!config.telematicsApiUrl || !config.telematicsApiKey) {
      throw new Error('TELEMATICS_API_URL and TELEMATICS_API_KEY are required when TELEMATICS_MODE=http');
    }
    return new HttpTelematicsClient({ baseUrl: config.telematicsApiUrl, apiKey: config.telematicsApiKey }, policy);
  }

  async unlock(fleetVehicleId: string, { idempotencyKey }: TelematicsCommandOptions): Promise<UnlockReading> {
    checkVehicleId(fleetVehicleId);
    checkIdempotencyKey(idempotencyKey);
    return this.call('POST', fleetVehicleId, 'unlock', idempotencyKey, (body) => {
      expectState(body, 'unlocked');
      return { unlockedAt: dateTime(body, 'unlockedAt'), ...readings(body) };
    });
  }

  async lock(fleetVehicleId: string, { idempotencyKey }: TelematicsCommandOptions): Promise<LockReading> {
    checkVehicleId(fleetVehicleId);
    checkIdempotencyKey(idempotencyKey);
    return this.call('POST', fleetVehicleId, 'lock', idempotencyKey, (body) => {
      expectState(body, 'locked');
      return { lockedAt: dateTime(body, 'lockedAt'), ...readings(body) };
    });
  }

  async lastLock(fleetVehicleId: string): Promise<LastLock | null> {
    checkVehicleId(fleetVehicleId);
    return this.call('GET', fleetVehicleId, 'last-lock', null, (body) => {
      if (!('lastLock' in body)) throw malformed('lastLock is missing');
      const last = body.lastLock;
      if (last === null) return null;
      if (typeof last !== 'object' || Array.isArray(last)) throw malformed('lastLock is not an object or null');
      const lock = last as Json;
      return {
        lockedAt: dateTime(lock, 'lockedAt'),
        ...readings(lock),
        latitude: coordinate(lock, 'latitude', 90),
        longitude: coordinate(lock, 'longitude', 180),
      };
    });
  }

  /** Closes idle keep-alive connections (app shutdown). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One call under the policy: attempts (the same key each time) while they fail in a way
   * worth repeating and the budget's signal is not aborted; the 200's body checked by
   * `read` and by its `vehicleId`. Every failure leaves as a TelematicsError.
   */
  private async call<T>(
    method: 'GET' | 'POST',
    fleetVehicleId: string,
    action: string,
    idempotencyKey: string | null,
    read: (body: Json) => T,
  ): Promise<T> {
    const url = new URL(`vehicles/${encodeURIComponent(fleetVehicleId)}/${action}`, this.base);
    try {
      return await this.policy.execute(async (signal) => {
        let delay = this.retryDelayMs;
        for (let attempt = 1; ; attempt++) {
          try {
            const body = answerOf(await this.send(method, url, idempotencyKey, signal));
            if (body.vehicleId !== fleetVehicleId) throw malformed('vehicleId is not the vehicle asked for');
            return read(body);
          } catch (error) {
            if (!(error instanceof RetryableAttempt) || attempt >= MAX_ATTEMPTS || signal.aborted) throw error;
            // Aborted at the end of the budget: the policy reports the timeout.
            await sleep(delay * (0.75 + Math.random() / 2), undefined, { signal });
            delay *= 2;
          }
        }
      });
    } catch (error) {
      throw toTelematicsError(error);
    }
  }

  /** One HTTP exchange, aborted by `signal` (the budget), body included. */
  private send(method: string, url: URL, idempotencyKey: string | null, signal: AbortSignal) {
    const body = method === 'POST' ? '{}' : undefined;
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Api-Key': this.options.apiKey };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (idempotencyKey !== null) headers['Idempotency-Key'] = idempotencyKey;
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            reject(malformed(`the answer is larger than ${MAX_BODY_BYTES} bytes`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(transportError(error)));
        // The connection went mid-answer (a no-op once 'end' resolved).
        res.on('close', () => {
          if (!res.complete) reject(new RetryableAttempt('unavailable', 'Telematics closed the connection mid-answer'));
        });
      });
      req.on('error', (error) => reject(transportError(error)));
      req.end(body);
    });
  }
}

/** A connection that failed (refused, reset, closed mid-answer) may be tried again; our own abort and refusals pass as they are. */
function transportError(error: Error): Error {
  if (error instanceof TelematicsError || error.name === 'AbortError') return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new RetryableAttempt('unavailable', `Telematics cannot be reached (${code ?? error.message})`);
}

/** A 200's JSON object; any other status as the TelematicsError it is. */
function answerOf({ status, body }: { status: number; body: string }): Json {
  if (status === 200) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw malformed('the answer is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw malformed('the answer is not a JSON object');
    return parsed as Json;
  }
  if (status >= 500) throw new RetryableAttempt('unavailable', `Telematics answered HTTP ${status}`);
  if (status === 409 || status === 404) {
    const reason = status === 404 ? 'unknown_vehicle' : refusalReason(body);
    throw new TelematicsError('refused', `The vehicle refused (${reason})`, reason);
  }
  if (status === 401 || status === 403)
    throw new TelematicsError('unavailable', `Telematics refused our credentials (HTTP ${status})`);
  throw new TelematicsError('unavailable', `Telematics refused the request (HTTP ${status})`);
}

function refusalReason(body: string): string {
  try {
    const reason = (JSON.parse(body) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' && REASON.test(reason) ? reason : 'refused';
  } catch {
    return 'refused';
  }
}

function malformed(what: string): TelematicsError {
  return new TelematicsError('unavailable', `Telematics gave a malformed answer: ${what}`);
}

function expectState(body: Json, state: 'locked' | 'unlocked'): void {
  if (body.state !== state) throw malformed(`state is not "${state}"`);
}

function dateTime(body: Json, field: string): Date {
  const value = body[field];
  const date = typeof value === 'string' && DATE_TIME.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw malformed(`${field} is not a date-time with a zone`);
  return date;
}

/** The odometer (whole km) and level (0 to 100), each present and null or in range. */
function readings(body: Json): VehicleReading {
  if (!('odometerKm' in body) || !('energyLevelPercent' in body)) throw malformed('odometerKm or energyLevelPercent is missing');
  const { odometerKm, energyLevelPercent } = body;
  if (
    odometerKm !== null &&
    !(Number.isSafeInteger(odometerKm) && (odometerKm as number) >= 0 && (odometerKm as number) <= MAX_ODOMETER_KM)
  ) {
    throw malformed('odometerKm is not null or a whole number of km');
  }
  if (
    energyLevelPercent !== null &&
    !(
      typeof energyLevelPercent === 'number' &&
      Number.isFinite(energyLevelPercent) &&
      energyLevelPercent >= 0 &&
      energyLevelPercent <= 100
    )
  ) {
    throw malformed('energyLevelPercent is not null or a number from 0 to 100');
  }
  return { odometerKm: odometerKm as number | null, energyLevelPercent: energyLevelPercent as number | null };
}

function coordinate(body: Json, field: string, limit: number): number | null {
  const value = body[field];
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw malformed(`${field} is not null or a number from -${limit} to ${limit}`);
  }
  return value;
}
