import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * Fake shipping carriers on 127.0.0.1: one real HTTP server, each carrier under its own
 * path prefix (`${url}/fedex`), speaking the rates contract of docs/shipping.md the way a
 * strict real API would: `POST /<name>/rates` only, `Authorization: Bearer <its key>`
 * (401 otherwise), `Content-Type: application/json` (415), a body with exactly the
 * contract's fields (400 otherwise; the recipient's name or street is refused, they must
 * never be sent). Each carrier can be switched, at run time, to answer slowly, drop the
 * connection, answer 500, malformed JSON, or any body at all. It counts and records requests.
 *
 *   const fake = await startFakeCarriers({ fedex: { key: 'fk' }, ups: { key: 'uk' } });
 *   // app: SHIPPING_CARRIERS=`fedex|${fake.url}/fedex,...`, SHIPPING_CARRIER_API_KEY=fedex=fk,...
 *   fake.set('ups', { kind: 'slow', delayMs: 5000 });
 *   fake.requests('ups').length; fake.reset(); await fake.stop();
 */

/** One rate as the carrier answers it (the contract's `rates[]` item). */
export interface FakeRate {
  service: string;
  amountCents: number;
  currency: string;
  estimatedDays: number;
}

/** What a carrier does with the next requests. */
export type FakeCarrierBehaviour =
  /** Answers `rates(body)` (by default: one `ground` rate of `base + 1 per 10 g`, in the currency asked). */
  | { kind: 'ok'; delayMs?: number }
  /** Answers like `ok`, after `delayMs` (past the app's timeout: the app gives up first). */
  | { kind: 'slow'; delayMs: number }
  /** Drops the connection without answering (a crashed or unreachable host). */
  | { kind: 'down' }
  /** Answers 500 with a JSON error. */
  | { kind: 'error'; status?: number }
  /** Answers 200, `application/json`, with a body that is not JSON. */
  | { kind: 'malformed' }
  /** Answers 200 with this body as JSON, whatever it is (wrong values, missing fields). */
  | { kind: 'body'; body: unknown };

export interface FakeCarrierOptions {
  key: string;
  /** The rates of a valid request; default: one `ground` rate from `base` (in minor units) and the weight. */
  rates?: (request: FakeRateRequest) => FakeRate[];
  base?: number;
}

/** A valid request body, as received. */
export interface FakeRateRequest {
  shipFrom?: { country: string; postalCode: string };
  shipTo: { country: string; region?: string; postalCode: string; city: string };
  weightGrams: number;
  currency: string;
}

/** A request as received, valid or not. */
export interface FakeCarrierRequest {
  carrier: string;
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
  /** The status answered (null: dropped or not answered before the client went away). */
  status: number | null;
}

export interface FakeCarriers {
  /** `http://127.0.0.1:<port>`; a carrier's base URL is `${url}/<name>`. */
  url: string;
  /** The base URL of one carrier. */
  baseUrl(name: string): string;
  set(name: string, behaviour: FakeCarrierBehaviour): void;
  /** Every carrier back to `ok`, requests forgotten. */
  reset(): void;
  requests(name: string): FakeCarrierRequest[];
  stop(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a rates request body, or null (the contract, checked as strictly as a real API would). */
function invalidBody(body: unknown): string | null {
  if (!isObject(body)) return 'body must be an object';
  const extra = Object.keys(body).filter((k) => !['shipFrom', 'shipTo', 'weightGrams', 'currency'].includes(k));
  if (extra.length) return `unknown fields: ${extra.join(', ')}`;
  const { shipFrom, shipTo, weightGrams, currency } = body;
  if (!isObject(shipTo)) return 'shipTo is required';
  const toExtra = Object.keys(shipTo).filter((k) => !['country', 'region', 'postalCode', 'city'].includes(k));
  if (toExtra.length) return `shipTo has unknown fields: ${toExtra.join(', ')}`;
  if (typeof shipTo.country !== 'string' || !/^[A-Z]{2}$/.test(shipTo.country)) return 'shipTo.country must be ISO alpha-2';
  if (typeof shipTo.postalCode !== 'string' || shipTo.postalCode === '') return 'shipTo.postalCode is required';
  if (typeof shipTo.city !== 'string' || shipTo.city === '') return 'shipTo.city is required';
  if (shipTo.region !== undefined && typeof shipTo.region !== 'string') return 'shipTo.region must be a string';
  if (shipFrom !== undefined && !isObject(shipFrom)) return 'shipFrom must be an object';
  if (!Number.isInteger(weightGrams) || (weightGrams as number) <= 0) return 'weightGrams must be a positive integer';
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return 'currency must be ISO 4217';
  return null;
}

export async function startFakeCarriers(carriers: Record<string, FakeCarrierOptions>): Promise<FakeCarriers> {
  const behaviours = new Map<string, FakeCarrierBehaviour>();
  const log = new Map<string, FakeCarrierRequest[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const reset = () => {
    for (const name of Object.keys(carriers)) {
      behaviours.set(name, { kind: 'ok' });
      log.set(name, []);
    }
  };
  reset();

  const send = (
    res: ServerResponse,
    record: FakeCarrierRequest | null,
    status: number,
    body: string,
    type = 'application/json',
  ) => {
    if (record) record.status = status;
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const [, name, rest] = /^\/([^/]+)(\/.*)?$/.exec(req.url ?? '') ?? [];
    const carrier = name ? carriers[name] : undefined;
    if (!carrier) return send(res, null, 404, JSON.stringify({ error: 'not_found' }));
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // recorded as text; refused below
    }
    const record: FakeCarrierRequest = {
      carrier: name,
      method: req.method ?? '',
      path: rest ?? '/',
      authorization: req.headers.authorization ?? null,
      body,
      status: null,
    };
    log.get(name)!.push(record);
    if (record.path !== '/rates') return send(res, record, 404, JSON.stringify({ error: 'not_found' }));
    if (req.method !== 'POST') return send(res, record, 405, JSON.stringify({ error: 'method_not_allowed' }));
    if (record.authorization !== `Bearer ${carrier.key}`)
      return send(res, record, 401, JSON.stringify({ error: 'unauthorized' }));
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return send(res, record, 415, JSON.stringify({ error: 'unsupported_media_type' }));
    }
    const problem = typeof body === 'string' ? 'body is not JSON' : invalidBody(body);
    if (problem) return send(res, record, 400, JSON.stringify({ error: 'invalid_request', message: problem }));

    const request = body as FakeRateRequest;
    const behaviour = behaviours.get(name)!;
    const answer = () => {
      switch (behaviour.kind) {
        case 'down':
          record.status = null;
          req.socket.destroy();
          return;
        case 'error':
          return send(res, record, behaviour.status ?? 500, JSON.stringify({ error: 'internal_error' }));
        case 'malformed':
          return send(res, record, 200, '{"rates": [{"service": "ground", "amountCents": 12');
        case 'body':
          return send(res, record, 200, JSON.stringify(behaviour.body));
        default: {
          const rates = carrier.rates
            ? carrier.rates(request)
            : [
                {
                  service: 'ground',
                  amountCents: (carrier.base ?? 500) + Math.ceil(request.weightGrams / 10),
                  currency: request.currency,
                  estimatedDays: 3,
                },
              ];
          return send(res, record, 200, JSON.stringify({ rates }));
        }
      }
    };
    const delay = behaviour.kind === 'slow' || behaviour.kind === 'ok' ? (behaviour.delayMs ?? 0) : 0;
    if (delay <= 0) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer();
    }, delay);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, null, 500, JSON.stringify({ error: 'fake_failed' }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: (name) => `${url}/${name}`,
    set(name, behaviour) {
      if (!carriers[name]) throw new Error(`No fake carrier ${name}`);
      behaviours.set(name, behaviour);
    },
    reset,
    requests: (name) => log.get(name) ?? [],
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
