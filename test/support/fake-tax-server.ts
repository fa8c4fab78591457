import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the fake answers: `ok` (the contract), `slow` (answers after `delayMs`), `error`
 * (HTTP `status`, 503 by default), or a wrong answer: `negative`, `nan`, `text` (a
 * non-numeric string), `above_one`, `missing` (no combined_rate), `no_rate` (no `rate`
 * object), `malformed` (not JSON).
 */
export type FakeTaxMode =
  'ok' | 'slow' | 'error' | 'negative' | 'nan' | 'text' | 'above_one' | 'missing' | 'no_rate' | 'malformed';

export interface FakeTaxRequest {
  /** performance.now() when the request arrived. */
  at: number;
  path: string;
  postalCode: string | null;
  country: string | null;
  state: string | null;
  authorized: boolean;
  status: number;
}

export interface FakeTax {
  /** The base URL to configure as TAX_API_URL. */
  url: string;
  /** The key it accepts (TAX_API_KEY). */
  key: string;
  /** Every request that reached it, in arrival order (refused ones included). */
  requests: FakeTaxRequest[];
  /** Requests that reached it so far. */
  count(): number;
  mode(mode: FakeTaxMode, options?: { delayMs?: number; status?: number }): void;
  /** The combined rate it answers for a postal code (as JSON: a string like TaxJar's, or anything). */
  setRate(postalCode: string, rate: unknown): void;
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_RATE = '0.0825';

/**
 * A fake of the TaxJar-style rates API on 127.0.0.1 (a free port), checking requests as
 * the real one would: `GET /v2/rates/{postalCode}?country=CC[&state=XX]` with
 * `Authorization: Bearer <key>` (401 otherwise), a two-letter country (400 otherwise),
 * `state` required for US and CA (400). It answers
 * `{"rate": {"zip", "country", "state", "combined_rate": "0.0825", ...}}`, or the fault
 * `mode` says, and counts what it received.
 */
export async function startFakeTax(options: { key?: string } = {}): Promise<FakeTax> {
  const key = options.key ?? 'tax_test_key_0123456789';
  const requests: FakeTaxRequest[] = [];
  const rates = new Map<string, unknown>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let current: { mode: FakeTaxMode; delayMs: number; status: number } = { mode: 'ok', delayMs: 0, status: 503 };

  const send = (res: ServerResponse, status: number, body: unknown, raw = false) => {
    if (res.destroyed) return;
    const text = raw ? String(body) : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = /^\/v2\/rates\/([^/]+)$/.exec(url.pathname);
    const postalCode = match ? decodeURIComponent(match[1]) : null;
    const country = url.searchParams.get('country');
    const state = url.searchParams.get('state');
    const authorized = req.headers.authorization === `Bearer ${key}`;
    const record: FakeTaxRequest = {
      at: performance.now(),
      path: url.pathname,
      postalCode,
      country,
      state,
      authorized,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, body: unknown, raw = false) => {
      record.status = status;
      send(res, status, body, raw);
    };

    if (req.method !== 'GET' || !match) return answer(404, { error: 'Not Found', detail: 'No such route', status: 404 });
    if (!authorized) return answer(401, { error: 'Unauthorized', detail: 'Not authorized for route', status: 401 });
    if (!country || !/^[A-Z]{2}$/.test(country)) {
      return answer(400, { error: 'Bad Request', detail: 'country must be a two-letter ISO code', status: 400 });
    }
    if ((country === 'US' || country === 'CA') && !state) {
      return answer(400, { error: 'Bad Request', detail: 'state is required for US and CA', status: 400 });
    }

    const rate = { zip: postalCode, country, state, city: 'FAKE CITY', combined_rate: rates.get(postalCode!) ?? DEFAULT_RATE };
    switch (current.mode) {
      case 'ok':
        return answer(200, { rate });
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(200, { rate });
        }, current.delayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'error':
        return answer(current.status, { error: 'Service Unavailable', detail: 'Try again later', status: current.status });
      case 'negative':
        return answer(200, { rate: { ...rate, combined_rate: '-0.05' } });
      case 'nan':
        return answer(200, '{"rate": {"zip": "x", "combined_rate": NaN}}', true);
      case 'text':
        return answer(200, { rate: { ...rate, combined_rate: 'NaN' } });
      case 'above_one':
        return answer(200, { rate: { ...rate, combined_rate: '1.25' } });
      case 'missing': {
        const { combined_rate: _dropped, ...rest } = rate;
        return answer(200, { rate: rest });
      }
      case 'no_rate':
        return answer(200, { summary_rates: [] });
      case 'malformed':
        return answer(200, '{"rate": {"combined_rate": "0.08', true);
    }
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    requests,
    count: () => requests.length,
    mode(mode, opts = {}) {
      current = { mode, delayMs: opts.delayMs ?? 5_000, status: opts.status ?? 503 };
    },
    setRate: (postalCode, rate) => void rates.set(postalCode, rate),
    down: close,
    up: () => listen(port),
    stop: close,
  };
}
