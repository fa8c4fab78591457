import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@holdfast/clock';
import { ImsRefusedError, ImsRejectedError, ImsUnavailableError, type SimulatedItemSeed } from '../../src/inventory/ims.port';
import { SimulatedIms } from '../../src/inventory/simulated-ims';

/** The IMS's routes (DESIGN.md section 10), as faults and counters name them. */
export type ImsRoute = 'stock' | 'availability' | 'reserve' | 'confirm_order' | 'release';

/**
 * What a route does instead of answering properly:
 * - `down`: the socket is destroyed without an answer (a crash mid-request);
 * - `slow`: the answer comes `delayMs` late (the request is still carried out, as a slow server would);
 * - `status`: that status with an error body (500, 503...), nothing carried out;
 * - `malformed`: 200 with a body that is not JSON;
 * - `body`: 200 with this JSON instead of the real answer (wrong quantities, missing fields), nothing carried out;
 * - `gate`: carried out at once, answered only once `open` resolves (the test picks the moment in between).
 */
export type ImsFault =
  | { kind: 'down' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'malformed' }
  | { kind: 'body'; body: unknown }
  | { kind: 'gate'; open: Promise<void> };

export interface FakeImsOptions {
  /** Keys accepted in X-Api-Key. Default one: `ims_test_key`. */
  apiKeys?: string[];
  /** Serve HTTPS and require a client certificate signed by `ca` (mTLS). */
  tls?: { key: Buffer; cert: Buffer; ca: Buffer };
}

export interface FakeImsRequest {
  route: ImsRoute | 'unknown';
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number | null;
  replayed: boolean;
}

export interface FakeIms {
  /** Base URL to give IMS_BASE_URL (`http://127.0.0.1:PORT/api`, or https with `tls`). */
  url: string;
  /** The first accepted API key. */
  apiKey: string;
  /** The IMS's time (reservations lapse on it): `fake.clock.advance(ms)`. */
  clock: TestClock;
  /** The stock, units, reservations and orders behind the routes. */
  model: SimulatedIms;
  seed(itemId: string, seed: SimulatedItemSeed): void;
  /** Makes `route` misbehave for its next `times` requests (default: until cleared). */
  fault(route: ImsRoute, fault: ImsFault, times?: number): void;
  clearFaults(): void;
  /** Requests received per route (faulted, refused and replayed ones included). */
  counts(): Record<ImsRoute, number>;
  requests: FakeImsRequest[];
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const ROUTES: ImsRoute[] = ['stock', 'availability', 'reserve', 'confirm_order', 'release'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Outcome {
  status: number;
  body?: unknown;
  raw?: string;
}

class BadRequest extends Error {}

/**
 * A fake IMS on 127.0.0.1 (a free port) with real semantics: the stock, rental units by
 * date range, reservations that lapse and `confirm_order` idempotent by reference of the
 * in-process SimulatedIms, behind the HTTP contract of DESIGN.md section 10 validated as a
 * strict IMS would: X-Api-Key (401), Idempotency-Key on POSTs (400 without; the same key
 * and body replays the first answer, even while it is in flight; another body 422),
 * required fields and date formats (400), 409 on a refused reserve, 409/410 on a rejected
 * confirm. Faults per route (`fault`), the whole server down (`down`), and counters.
 */
export async function startFakeIms(options: FakeImsOptions = {}): Promise<FakeIms> {
  const apiKeys = options.apiKeys ?? ['ims_test_key'];
  const clock = new TestClock();
  let model = new SimulatedIms(clock);
  let faults: { route: ImsRoute; fault: ImsFault; left: number }[] = [];
  let replays = new Map<string, { fingerprint: string; outcome: Promise<Outcome> }>();
  const requests: FakeImsRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res).catch(() => res.destroy());
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: true }, handler)
    : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-ims');
    const method = req.method ?? 'GET';
    const route = routeOf(method, url.pathname);
    const key = header(req, 'idempotency-key');
    const record: FakeImsRequest = {
      route: route?.name ?? 'unknown',
      method,
      path: url.pathname + url.search,
      idempotencyKey: key,
      status: null,
      replayed: false,
    };
    requests.push(record);
    const raw = await readBody(req);
    let delayMs = 0;
    let gate: Promise<void> | null = null;
    const send = async (outcome: Outcome) => {
      if (delayMs > 0) await sleep(delayMs); // carried out already: only the answer is late
      if (gate) await gate;
      record.status = outcome.status;
      if (res.destroyed) return;
      const body = outcome.raw ?? (outcome.body === undefined ? '' : JSON.stringify(outcome.body));
      res.writeHead(outcome.status, body === '' ? {} : { 'Content-Type': 'application/json' });
      res.end(body);
    };
    if (!route) return send({ status: 404, body: { error: 'not_found' } });

    const fault = takeFault(route.name);
    if (fault?.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') return send({ status: fault.status, body: { error: 'injected', status: fault.status } });
    if (fault?.kind === 'malformed') return send({ status: 200, raw: '{"item_id": "oops", "available": ' });
    if (fault?.kind === 'body') return send({ status: 200, body: fault.body });
    if (fault?.kind === 'slow') delayMs = fault.delayMs;
    if (fault?.kind === 'gate') gate = fault.open;

    if (!apiKeys.includes(header(req, 'x-api-key') ?? '')) return send({ status: 401, body: { error: 'unauthorized' } });
    if (method !== 'POST') return send(await answer(route, url, null));

    if (!key || key.length > 255) return send({ status: 400, body: { error: 'idempotency_key_required' } });
    let body: Record<string, unknown>;
    try {
      body = parseObject(raw, header(req, 'content-type'));
    } catch (error) {
      return send({ status: 400, body: { error: 'invalid_request', message: (error as Error).message } });
    }
    const fingerprint = createHash('sha256')
      .update(`${route.name}\n${JSON.stringify(body)}`)
      .digest('hex');
    const earlier = replays.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) return send({ status: 422, body: { error: 'idempotency_key_reused' } });
      record.replayed = true;
      return send(await earlier.outcome);
    }
    const outcome = answer(route, url, body);
    replays.set(key, { fingerprint, outcome });
    const done = await outcome;
    if (done.status >= 500) replays.delete(key); // a failure is not remembered: a retry runs again
    return send(done);
  }

  /** The real answer of a route, from the model. */
  async function answer(
    route: { name: ImsRoute; itemId?: string; reservationId?: string },
    url: URL,
    body: Record<string, unknown> | null,
  ): Promise<Outcome> {
    try {
      switch (route.name) {
        case 'stock': {
          const stock = await model.stock(route.itemId!);
          return { status: 200, body: { item_id: stock.itemId, available: stock.available } };
        }
        case 'availability': {
          const start = url.searchParams.get('start_date');
          const end = url.searchParams.get('end_date');
          if (!start || !end || !DATE.test(start) || !DATE.test(end))
            throw new BadRequest('start_date and end_date (YYYY-MM-DD) are required');
          const a = await model.availability(route.itemId!, start, end);
          return { status: 200, body: { item_id: a.itemId, available: a.available, units_available: a.unitsAvailable } };
        }
        case 'reserve': {
          const b = body!;
          const itemId = requiredString(b, 'item_id');
          const reference = requiredString(b, 'reference');
          const duration = b.duration_minutes;
          if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1)
            throw new BadRequest('duration_minutes must be a positive integer');
          const hasQuantity = b.quantity !== undefined;
          const hasDates = b.start_date !== undefined || b.end_date !== undefined;
          if (hasQuantity === hasDates) throw new BadRequest('give quantity, or start_date and end_date');
          let reservation;
          if (hasQuantity) {
            if (typeof b.quantity !== 'number' || !Number.isInteger(b.quantity) || b.quantity < 1)
              throw new BadRequest('quantity must be a positive integer');
            reservation = await model.reserve({ itemId, quantity: b.quantity }, reference, duration);
          } else {
            const start = requiredString(b, 'start_date');
            const end = requiredString(b, 'end_date');
            if (!DATE.test(start) || !DATE.test(end)) throw new BadRequest('start_date and end_date must be YYYY-MM-DD');
            reservation = await model.reserve({ itemId, startDate: start, endDate: end }, reference, duration);
          }
          return {
            status: 200,
            body: { reservation_id: reservation.reservationId, expires_at: reservation.expiresAt.toISOString() },
          };
        }
        case 'confirm_order': {
          const b = body!;
          const reference = requiredString(b, 'reference');
          const ids = b.reservation_ids;
          if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== '')) {
            throw new BadRequest('reservation_ids must be a non-empty list of ids');
          }
          const order = await model.confirmOrder(reference, ids as string[]);
          return { status: 200, body: { order_id: order.orderId, status: 'confirmed' } };
        }
        case 'release': {
          if (!model.has(route.reservationId!)) return { status: 404, body: { error: 'reservation_not_found' } };
          await model.release(route.reservationId!);
          return { status: 204 };
        }
      }
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError)
        return { status: 400, body: { error: 'invalid_request', message: error.message } };
      if (error instanceof ImsRefusedError) return { status: 409, body: { error: 'not_available', item_id: error.itemId } };
      if (error instanceof ImsRejectedError)
        return {
          status: error.status,
          body: { error: error.status === 410 ? 'reservation_expired' : 'conflict', message: error.message },
        };
      if (error instanceof ImsUnavailableError && error.reason === 'unknown_item')
        return { status: 404, body: { error: 'item_not_found' } };
      return { status: 500, body: { error: 'internal' } };
    }
  }

  function takeFault(route: ImsRoute): ImsFault | undefined {
    const entry = faults.find((f) => f.route === route && f.left > 0);
    if (!entry) return undefined;
    entry.left--;
    return entry.fault;
  }

  const listen = (port = 0) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  const port = await listen();
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/api`,
    apiKey: apiKeys[0],
    clock,
    get model() {
      return model;
    },
    seed: (itemId, seed) => model.seed(itemId, seed),
    fault: (route, fault, times = Number.POSITIVE_INFINITY) => void faults.push({ route, fault, left: times }),
    clearFaults: () => void (faults = []),
    counts: () =>
      Object.fromEntries(ROUTES.map((r) => [r, requests.filter((q) => q.route === r).length])) as Record<ImsRoute, number>,
    requests,
    down: stopListening,
    up: async () => void (await listen(port)),
    reset() {
      model = new SimulatedIms(clock);
      faults = [];
      replays = new Map();
      requests.length = 0;
      clock.reset();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      if (server.listening) await stopListening();
    },
  };
}

function routeOf(method: string, pathname: string): { name: ImsRoute; itemId?: string; reservationId?: string } | null {
  const path = pathname.replace(/^\/api/, '');
  let m: RegExpExecArray | null;
  if (method === 'GET' && (m = /^\/inventory\/([^/]+)\/stock$/.exec(path)))
    return { name: 'stock', itemId: decodeURIComponent(m[1]) };
  if (method === 'GET' && (m = /^\/inventory\/([^/]+)\/availability$/.exec(path)))
    return { name: 'availability', itemId: decodeURIComponent(m[1]) };
  if (method === 'POST' && path === '/inventory/reserve') return { name: 'reserve' };
  if (method === 'POST' && path === '/inventory/confirm_order') return { name: 'confirm_order' };
  if (method === 'DELETE' && (m = /^\/inventory\/reservations\/([^/]+)$/.exec(path)))
    return { name: 'release', reservationId: decodeURIComponent(m[1]) };
  return null;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseObject(raw: string, contentType: string | null): Record<string, unknown> {
  if (!contentType?.startsWith('application/json')) throw new BadRequest('Content-Type must be application/json');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new BadRequest('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${field} is required`);
  return value;
}

/** PEM files of a test CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl in a temp dir. */
export interface TestCertificates {
  dir: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** A client certificate from another CA, which the server must refuse. */
  strangerKey: string;
  strangerCert: string;
  read(path: string): Buffer;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-ims-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const selfSigned = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.crt`),
    );
  const signed = (name: string, cn: string, ext: string) => {
    writeFileSync(at(`${name}.ext`), ext);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at('ca.crt'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`),
      '-out',
      at(`${name}.crt`),
    );
  };
  selfSigned('ca', 'Holdfast test CA');
  signed('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed('client', 'holdfast-app', 'extendedKeyUsage=clientAuth\n');
  selfSigned('stranger', 'stranger');
  return {
    dir,
    caCert: at('ca.crt'),
    serverKey: at('server.key'),
    serverCert: at('server.crt'),
    clientKey: at('client.key'),
    clientCert: at('client.crt'),
    strangerKey: at('stranger.key'),
    strangerCert: at('stranger.crt'),
    read: (path) => readFileSync(path),
  };
}
