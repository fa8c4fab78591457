import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A profile as seed 002's Customer Management Service answers it. */
export interface FakeCustomerProfile {
  kycStatus: string;
  drivingLicenseValid: boolean;
  creditScore: number;
}

/**
 * What the fake does instead of answering properly:
 * - `slow`: the right answer, `delayMs` late;
 * - `status`: that status (500, 503, 429...) with an error body;
 * - `reset`: the socket is destroyed without an answer (a crash mid-request);
 * - `malformed`: 200 with a body that is not JSON;
 * - `body`: 200 with this JSON instead of the profile (wrong types, missing fields, another customer).
 * Connection refused is `down()`.
 */
export type FakeCustomersFault =
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'body'; body: unknown };

export interface FakeCustomersRequest {
  /** performance.now() when it arrived. */
  at: number;
  method: string;
  path: string;
  /** The customer id of a well-formed path, decoded; null otherwise. */
  customerId: string | null;
  authorized: boolean;
  /** The answer's status; 0 while none (slow), -1 for a reset. */
  status: number;
}

export interface FakeCustomers {
  /** The base URL to configure as CUSTOMER_SERVICE_URL (`http://127.0.0.1:PORT/cms`). */
  url: string;
  /** The key it accepts in X-Api-Key. */
  apiKey: string;
  /** Every request that reached it, in order (refused and faulted ones included). */
  requests: FakeCustomersRequest[];
  /** Requests for one customer so far (every request when no id is given). */
  count(customerId?: string): number;
  /** The profile it answers for a customer; a customer it has none for is 404. */
  setProfile(customerId: string, profile: FakeCustomerProfile): void;
  /** Makes the next `times` requests (default: every one until `clearFaults`) misbehave. */
  fault(fault: FakeCustomersFault, times?: number): void;
  clearFaults(): void;
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const PREFIX = '/cms';

/**
 * A fake of seed 002's Customer Management Service on 127.0.0.1 (a free port), checking
 * requests as the real one would (our contract, docs/customers.md): only
 * `GET {prefix}/customers/{customerId}` (405 for another method on it, 404
 * `route_not_found` elsewhere), `X-Api-Key` equal to its key (401 otherwise), an Accept
 * that allows JSON (406 otherwise). It answers `{customerId, kycStatus,
 * drivingLicenseValid, creditScore}` from the profiles set, 404 `customer_not_found` for
 * an unknown customer, or the injected fault; it counts what it received.
 */
export async function startFakeCustomers(options: { apiKey?: string } = {}): Promise<FakeCustomers> {
  const apiKey = options.apiKey ?? 'cms_test_key_0123456789';
  const requests: FakeCustomersRequest[] = [];
  const profiles = new Map<string, FakeCustomerProfile>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let faults: { fault: FakeCustomersFault; left: number }[] = [];

  const nextFault = (): FakeCustomersFault | null => {
    const entry = faults[0];
    if (!entry) return null;
    if (Number.isFinite(entry.left) && --entry.left <= 0) faults.shift();
    return entry.fault;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = new RegExp(`^${PREFIX}/customers/([^/]+)$`).exec(url.pathname);
    let customerId: string | null = null;
    try {
      customerId = match ? decodeURIComponent(match[1]) : null;
    } catch {
      customerId = null;
    }
    const record: FakeCustomersRequest = {
      at: performance.now(),
      method: req.method ?? '',
      path: url.pathname,
      customerId,
      authorized: req.headers['x-api-key'] === apiKey,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, body: unknown, raw = false) => {
      record.status = status;
      if (res.destroyed) return;
      const text = raw ? String(body) : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    if (!match || customerId === null || url.search !== '') return answer(404, { error: 'route_not_found' });
    if (req.method !== 'GET') return answer(405, { error: 'method_not_allowed' });
    if (!record.authorized) return answer(401, { error: 'unauthorized' });
    const accept = req.headers.accept ?? '*/*';
    if (!/application\/json|\*\/\*/.test(accept)) return answer(406, { error: 'not_acceptable' });

    const profile = profiles.get(customerId);
    const proper = () =>
      profile ? answer(200, { customerId, ...profile }) : answer(404, { error: 'customer_not_found', customerId });
    const fault = nextFault();
    switch (fault?.kind) {
      case undefined:
        return proper();
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          proper();
        }, fault.delayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'status':
        return answer(fault.status, { error: 'service_error', status: fault.status });
      case 'reset':
        record.status = -1;
        req.socket.destroy();
        return;
      case 'malformed':
        return answer(200, '{"kycStatus": "approved", "drivingLicenseValid": tr', true);
      case 'body':
        return answer(200, fault.body);
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
    url: `http://127.0.0.1:${port}${PREFIX}`,
    apiKey,
    requests,
    count: (customerId) =>
      customerId === undefined ? requests.length : requests.filter((r) => r.customerId === customerId).length,
    setProfile: (customerId, profile) => void profiles.set(customerId, profile),
    fault(fault, times = Infinity) {
      faults.push({ fault, left: times });
    },
    clearFaults() {
      faults = [];
    },
    down: close,
    up: () => listen(port),
    stop: close,
  };
}
