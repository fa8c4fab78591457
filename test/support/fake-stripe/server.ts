import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expireAllLapsed } from './authorizations';
import { customerRoutes } from './customers';
import { StripeApiError } from './errors';
import { alteredOutcome, errorOutcome, faultMatches, injectedOutcome, type Outcome } from './faults';
import { fingerprint, FormParseError, parseForm, type RawObject } from './form';
import { IdempotencyStore, type Claim } from './idempotency';
import { completeAction } from './intent-lifecycle';
import type { EventObject } from './objects';
import { paymentIntentRoutes } from './payment-intents';
import { paymentMethodRoutes } from './payment-methods';
import { refundRoutes } from './refunds';
import { completeSetupAction, setupIntentRoutes } from './setup-intents';
import { applyExpand, checkExpand, compile, matchRoute, type CompiledRoute, type RouteResult } from './router';
import { strings, validateParams, type Params } from './schema';
import { clone, FakeStripeStore, randomId } from './store';
import {
  DEFAULT_API_VERSION,
  type DeliverOptions,
  type FakeStripe,
  type FakeStripeCounters,
  type FakeStripeOptions,
  type Fault,
  type Injection,
  type RequestRecord,
} from './types';
import { postWebhook, serializeEvent, signPayload, type WebhookDelivery } from './webhooks';

/**
 * The HTTP side of the fake: authentication, routing, Stripe's idempotency layer,
 * validation, faults, and the test-facing handle (`FakeStripe`).
 */

const ROUTES: CompiledRoute[] = [
  ...paymentIntentRoutes,
  ...setupIntentRoutes,
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...refundRoutes,
].map(compile);

const DEFAULT_KEY_PATTERN = /^(sk|rk)_(test|live)_[0-9A-Za-z_]+$/;

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function maskKey(key: string): string {
  if (key.length <= 12) return `${key.slice(0, 3)}****`;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts a stateful, in-memory stand-in for the Stripe v1 API on 127.0.0.1 (a free port
 * unless `port` is given) that the real `stripe` SDK can be pointed at:
 * `new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 2 })`.
 */
export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.now ?? Date.now;
  let baseUrl = '';
  let lastApiVersion: string | null = null;
  let webhookUrl: string | null = options.webhookUrl ?? null;
  let webhookSecret: string | null = options.webhookSecret ?? null;
  const injections: Injection[] = [];
  const requests: RequestRecord[] = [];
  const deliveries: WebhookDelivery[] = [];
  const delivered = new Set<string>();
  const idempotency = new IdempotencyStore();
  const timers = new Set<NodeJS.Timeout>();
  const pendingDeliveries = new Set<Promise<unknown>>();
  const sockets = new Set<Socket>();

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => later(ms, resolve));

  const store = new FakeStripeStore(
    clock,
    () => options.apiVersion ?? lastApiVersion ?? DEFAULT_API_VERSION,
    (event) => {
      if (!options.autoDeliver || webhookUrl === null) return;
      later(options.webhookDelayMs ?? 0, () => {
        const pending = deliver(event).catch(() => undefined);
        pendingDeliveries.add(pending);
        void pending.finally(() => pendingDeliveries.delete(pending));
      });
    },
    () => baseUrl,
    {
      extended: options.extendedAuthorization ?? true,
      incremental: options.incrementalAuthorization ?? true,
    },
  );
  const counters: FakeStripeCounters = { requests: {}, created: store.created, replayed: 0, faults: 0 };

  async function deliver(eventOrId: string | EventObject, opts: DeliverOptions = {}): Promise<WebhookDelivery> {
    const event = typeof eventOrId === 'string' ? store.events.find((e) => e.id === eventOrId) : eventOrId;
    if (!event) throw new Error(`fake Stripe: no event ${String(eventOrId)}`);
    const url = opts.url ?? webhookUrl;
    const secret = opts.secret ?? webhookSecret;
    if (!url || secret === null) throw new Error('fake Stripe: no webhook target (setWebhookTarget(url, secret))');
    const genuine = serializeEvent(event);
    // The signature always covers the genuine body: a `payload` override is a tampered delivery.
    const signature = opts.signature ?? signPayload(genuine, secret, opts.timestamp ?? Math.floor(clock() / 1000));
    const payload = opts.payload ?? genuine;
    const result = await postWebhook(url, payload, signature);
    const delivery: WebhookDelivery = {
      eventId: event.id,
      type: event.type,
      url,
      status: result.status,
      responseBody: result.body,
      error: result.error,
      payload,
      signature,
      at: clock(),
    };
    deliveries.push(delivery);
    if (result.status !== null && result.status >= 200 && result.status < 300) delivered.add(event.id);
    return delivery;
  }

  const pendingEvents = (): EventObject[] => store.events.filter((e) => !delivered.has(e.id));

  function takeFault(method: string, path: string, template: string | null, key: string | null): Fault | null {
    for (const injection of injections) {
      if (injection.remaining <= 0) continue;
      if (!faultMatches(injection.fault, method, path, template, key)) continue;
      injection.remaining--;
      injection.hits++;
      return injection.fault;
    }
    return null;
  }

  function authenticate(req: IncomingMessage): { apiKey: string | null; error: StripeApiError | null } {
    const auth = header(req, 'authorization');
    let key: string | null = null;
    if (auth?.startsWith('Bearer ')) key = auth.slice(7).trim();
    else if (auth?.startsWith('Basic ')) key = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    if (!key) {
      return {
        apiKey: null,
        error: new StripeApiError(401, {
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        }),
      };
    }
    const valid = options.apiKeys ? options.apiKeys.includes(key) : DEFAULT_KEY_PATTERN.test(key);
    if (!valid) {
      return {
        apiKey: key,
        error: new StripeApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(key)}` }),
      };
    }
    return { apiKey: key, error: null };
  }

  /** Runs a request: auth, route, idempotency, validation, execution. */
  async function execute(
    req: IncomingMessage,
    method: string,
    url: URL,
    body: string,
    record: RequestRecord,
    matched: ReturnType<typeof matchRoute>,
    slowFirst: number,
  ): Promise<Outcome> {
    const auth = authenticate(req);
    record.apiKey = auth.apiKey;
    if (auth.error) return errorOutcome(auth.error);
    if (!matched) {
      return errorOutcome(
        new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
      );
    }
    const { route, path } = matched;
    const apiVersion = record.stripeVersion ?? options.apiVersion ?? DEFAULT_API_VERSION;
    let raw: RawObject;
    try {
      raw = method === 'POST' ? parseForm(body) : parseForm(url.search.slice(1));
    } catch (error) {
      if (error instanceof FormParseError) {
        return errorOutcome(
          new StripeApiError(400, { type: 'invalid_request_error', message: error.message, param: error.param }),
        );
      }
      throw error;
    }
    record.params = method === 'POST' ? raw : {};

    // Idempotency: per API key, POST only (Stripe ignores keys on GET and DELETE).
    const key = method === 'POST' ? record.idempotencyKey : null;
    let claim: Claim | null = null;
    if (key !== null) {
      const found = idempotency.lookup(auth.apiKey!, key, {
        method,
        path: url.pathname,
        fingerprint: fingerprint(raw),
        requestId: record.id,
      });
      if ('replay' in found) {
        if (found.replay.replayed) counters.replayed++;
        return found.replay;
      }
      claim = found.claim;
    }
    const release = (): void => claim?.release();

    try {
      if (slowFirst > 0) await sleep(slowFirst);
      // Validation: failures are not stored under the key (execution never began).
      let params: Params;
      let expand: string[];
      try {
        params = validateParams(route.schema, raw);
        route.check?.(params, apiVersion);
        expand = strings(params, 'expand') ?? [];
        checkExpand(route, expand);
      } catch (error) {
        release();
        if (error instanceof StripeApiError) return errorOutcome(error);
        throw error;
      }
      let outcome: Outcome;
      try {
        const result = route.handle({ store, params, path, apiVersion, cause: { requestId: record.id, idempotencyKey: key } });
        const isResult = (r: unknown): r is RouteResult => typeof r === 'object' && r !== null && 'status' in r && 'body' in r;
        const status = isResult(result) ? result.status : 200;
        const responseBody = isResult(result) ? result.body : result;
        for (const p of expand) applyExpand(store, responseBody, p);
        outcome = { status, body: responseBody, headers: {} };
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        outcome = errorOutcome(error);
      }
      claim?.save(outcome);
      return outcome;
    } catch (error) {
      release();
      return {
        status: 500,
        body: {
          error: { type: 'api_error', message: `fake Stripe bug: ${error instanceof Error ? error.stack : String(error)}` },
        },
        headers: {},
      };
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, record: RequestRecord, outcome: Outcome): void {
    if (res.writableEnded || res.destroyed || req.socket.destroyed) return;
    const text = JSON.stringify(outcome.body, null, 2);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-cache, no-store',
      'Request-Id': record.id,
      'Stripe-Version': record.stripeVersion ?? options.apiVersion ?? DEFAULT_API_VERSION,
      ...(record.method === 'POST' && record.idempotencyKey !== null ? { 'Idempotency-Key': record.idempotencyKey } : {}),
      ...outcome.headers,
    };
    record.status = outcome.status;
    record.replayed = outcome.replayed === true;
    res.writeHead(outcome.status, headers).end(text);
  }

  function reset(req: IncomingMessage, record: RequestRecord): void {
    record.status = null;
    req.socket.destroy();
  }

  /** The 3-D Secure page `next_action` points at (a PaymentIntent's or a SetupIntent's): completes the challenge, then redirects like Stripe. */
  function threeDSecurePage(url: URL, res: ServerResponse): void {
    const id = /^\/3ds\/([^/]+)/.exec(url.pathname)?.[1] ?? '';
    const result = url.searchParams.get('result') === 'failure' ? 'failure' : 'success';
    const intent = store.paymentIntents.get(id) ?? store.setupIntents.get(id);
    if (!intent || intent.status !== 'requires_action') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no intent awaiting authentication');
      return;
    }
    const after = intent.object === 'setup_intent' ? completeSetupAction(store, id, result) : completeAction(store, id, result);
    const returnUrl = store.returnUrls.get(id);
    if (!returnUrl) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`authentication ${result}: ${after.status}`);
      return;
    }
    const target = new URL(returnUrl);
    const kind = intent.object === 'setup_intent' ? 'setup_intent' : 'payment_intent';
    target.searchParams.set(kind, id);
    target.searchParams.set(`${kind}_client_secret`, after.client_secret);
    target.searchParams.set('redirect_status', after.status === 'requires_payment_method' ? 'failed' : 'succeeded');
    res.writeHead(302, { Location: target.toString() }).end();
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake-stripe');
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && url.pathname.startsWith('/3ds/')) {
      threeDSecurePage(url, res);
      return;
    }
    const matched = matchRoute(ROUTES, method, url.pathname);
    const template = matched?.route.template ?? null;
    const countKey = `${method} ${template ?? url.pathname}`;
    counters.requests[countKey] = (counters.requests[countKey] ?? 0) + 1;
    const stripeVersion = header(req, 'stripe-version');
    if (stripeVersion) lastApiVersion = stripeVersion;
    const record: RequestRecord = {
      id: `req_${randomId(14)}`,
      method,
      path: url.pathname,
      template,
      query: parseQuerySafely(url),
      params: {},
      idempotencyKey: header(req, 'idempotency-key'),
      stripeVersion,
      apiKey: null,
      status: null,
      replayed: false,
      fault: null,
      at: clock(),
    };
    requests.push(record);

    const fault = takeFault(method, url.pathname, template, record.idempotencyKey);
    if (fault) {
      counters.faults++;
      record.fault = fault.kind;
    }
    if (fault && fault.kind !== 'response' && !fault.afterEffect) {
      if (fault.kind === 'status') {
        send(req, res, record, injectedOutcome(fault));
        return;
      }
      if (fault.kind === 'reset') {
        reset(req, record);
        return;
      }
    }
    const slowFirst = fault?.kind === 'timeout' && !fault.afterEffect ? fault.delayMs : 0;
    const outcome = await execute(req, method, url, body, record, matched, slowFirst);

    if (fault?.kind === 'status') {
      send(req, res, record, injectedOutcome(fault));
    } else if (fault?.kind === 'response') {
      send(req, res, record, alteredOutcome(outcome, fault));
    } else if (fault?.kind === 'reset') {
      reset(req, record);
    } else if (fault?.kind === 'timeout') {
      const finish = (): void => (fault.drop ? reset(req, record) : send(req, res, record, outcome));
      if (fault.afterEffect) later(fault.delayMs, finish);
      else finish();
    } else {
      send(req, res, record, outcome);
    }
  }

  function parseQuerySafely(url: URL): RawObject {
    try {
      return parseForm(url.search.slice(1));
    } catch {
      return {};
    }
  }

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: { type: 'api_error', message: `fake Stripe bug: ${String(error)}` } }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;

  const fake: FakeStripe = {
    url: baseUrl,
    port,
    host,
    sdkConfig: { host, port, protocol: 'http' },
    state: {
      paymentIntents: store.paymentIntents,
      setupIntents: store.setupIntents,
      customers: store.customers,
      paymentMethods: store.paymentMethods,
      charges: store.charges,
      refunds: store.refunds,
      events: store.events,
    },
    counters,
    requests,
    events: store.events,
    deliveries,
    requestCount: (key) => counters.requests[key] ?? 0,
    inject(fault) {
      const injection: Injection = { fault, remaining: fault.times ?? 1, hits: 0 };
      injections.push(injection);
      return injection;
    },
    clearFaults() {
      injections.length = 0;
    },
    setWebhookTarget(url, secret) {
      webhookUrl = url;
      if (secret !== undefined) webhookSecret = secret;
    },
    deliver,
    async deliverAll(opts) {
      const results: WebhookDelivery[] = [];
      for (const event of pendingEvents()) results.push(await deliver(event, opts));
      return results;
    },
    pendingEvents,
    buildEvent(type, object, opts = {}) {
      return {
        id: store.newId('evt'),
        object: 'event',
        api_version: options.apiVersion ?? lastApiVersion ?? DEFAULT_API_VERSION,
        created: store.now(),
        data: {
          object: clone(object),
          ...(opts.previousAttributes ? { previous_attributes: clone(opts.previousAttributes) } : {}),
        },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
    },
    signPayload,
    completeAction: (id, result) => completeAction(store, id, result),
    completeSetupAction: (id, result) => completeSetupAction(store, id, result),
    setAuthorizationSupport(support) {
      Object.assign(store.authorizationSupport, support);
    },
    declineIncrements(paymentIntentId) {
      store.incrementDeclines.add(paymentIntentId);
    },
    expireLapsedAuthorizations: () => expireAllLapsed(store),
    reset() {
      store.clear();
      store.authorizationSupport.extended = options.extendedAuthorization ?? true;
      store.authorizationSupport.incremental = options.incrementalAuthorization ?? true;
      requests.length = 0;
      deliveries.length = 0;
      delivered.clear();
      idempotency.clear();
      injections.length = 0;
      counters.requests = {};
      counters.replayed = 0;
      counters.faults = 0;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...pendingDeliveries]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
