import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the fake does to a request instead of (or on top of) answering it by the contract:
 * - `status`: answers that HTTP status, doing nothing (503 by default: the API is down);
 * - `slow`: waits `delayMs`, then does the command and answers (the command happens even if
 *   the client gave up meanwhile, as a real car opens late);
 * - `drop`: closes the connection without an answer, `afterEffect`: after doing the command
 *   and remembering its answer under the key (so a retry with the key gets that answer);
 * - `malformed`: does the command and answers 200 with this raw body;
 * - `refuse`: 409 `{error: "refused", reason}` (the car said no).
 */
export type TelematicsFault =
  | { kind: 'status'; status?: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop'; afterEffect?: boolean }
  | { kind: 'malformed'; body: string }
  | { kind: 'refuse'; reason: string };

export interface FakeTelematicsRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  apiKeyValid: boolean;
  /** 0 when the connection was dropped. */
  status: number;
  /** performance.now() when it arrived. */
  at: number;
}

export interface FakeVehicle {
  locked: boolean;
  odometerKm: number | null;
  energyLevelPercent: number | null;
  latitude: number | null;
  longitude: number | null;
  /** Unlock and lock commands carried out (a repeated key is not carried out again). */
  unlocks: number;
  locks: number;
  lastLock: {
    lockedAt: string;
    odometerKm: number | null;
    energyLevelPercent: number | null;
    latitude: number | null;
    longitude: number | null;
  } | null;
}

export interface FakeTelematics {
  /** The base URL to configure as TELEMATICS_API_URL (with an `/api` prefix, as a real one may have). */
  url: string;
  apiKey: string;
  /** Every request that reached it, refused ones included, in arrival order. */
  requests: FakeTelematicsRequest[];
  /** Adds a vehicle (unknown ones answer 404), parked and locked, or changes its readings. */
  vehicle(
    id: string,
    readings?: Partial<Pick<FakeVehicle, 'odometerKm' | 'energyLevelPercent' | 'latitude' | 'longitude'>>,
  ): FakeVehicle;
  /** Faults for the next requests, one each, in order. */
  next(...faults: TelematicsFault[]): void;
  /** A fault for every request from now on (null: none). */
  always(fault: TelematicsFault | null): void;
  /** Forgets requests, vehicles, keys and faults. */
  reset(): void;
  /** Stops listening and cuts every connection (calls are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const ROUTE = /^\/api\/vehicles\/([^/]+)\/(unlock|lock|last-lock)$/;
const KEY = /^[\x21-\x7e]{1,200}$/;

interface Answer {
  status: number;
  body: string;
}

/**
 * A fake of the telematics API (docs/telematics.md) on 127.0.0.1, checking requests as the
 * real one would: `X-Api-Key` (401), `Idempotency-Key` on every POST (400 without one), a
 * JSON object body on POST (415/400), known vehicles (404). A POST's answer is remembered
 * under its key: the same key for the same command answers it again without carrying the
 * command out twice (a request arriving while the first is in progress waits for it); the
 * same key for another command answers 422. Faults (`next`, `always`) make it slow, down,
 * wrong or refusing.
 */
export async function startFakeTelematics(options: { apiKey?: string } = {}): Promise<FakeTelematics> {
  const apiKey = options.apiKey ?? 'telematics_test_key_0123456789';
  const requests: FakeTelematicsRequest[] = [];
  const vehicles = new Map<string, FakeVehicle>();
  const keys = new Map<string, { command: string; answer: Promise<Answer> }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let queued: TelematicsFault[] = [];
  let standing: TelematicsFault | null = null;

  const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  /** Carries out a command on a known vehicle and says what to answer. */
  const carryOut = (id: string, action: 'unlock' | 'lock'): Answer => {
    const v = vehicles.get(id)!;
    const now = new Date().toISOString();
    const readings = { odometerKm: v.odometerKm, energyLevelPercent: v.energyLevelPercent };
    if (action === 'unlock') {
      v.locked = false;
      v.unlocks++;
      return json(200, { vehicleId: id, state: 'unlocked', unlockedAt: now, ...readings, extra: 'ignored' });
    }
    v.locked = true;
    v.locks++;
    v.lastLock = { lockedAt: now, ...readings, latitude: v.latitude, longitude: v.longitude };
    return json(200, { vehicleId: id, state: 'locked', lockedAt: now, ...readings });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const keyHeader = req.headers['idempotency-key'];
    const record: FakeTelematicsRequest = {
      method: req.method ?? '',
      path: url.pathname,
      idempotencyKey: typeof keyHeader === 'string' ? keyHeader : null,
      apiKeyValid: req.headers['x-api-key'] === apiKey,
      status: 0,
      at: performance.now(),
    };
    requests.push(record);
    const send = ({ status, body: text }: Answer) => {
      record.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const drop = () => req.socket.destroy();

    const match = ROUTE.exec(url.pathname);
    const action = match?.[2] as 'unlock' | 'lock' | 'last-lock' | undefined;
    if (!match || (action === 'last-lock' ? req.method !== 'GET' : req.method !== 'POST')) {
      return send(json(404, { error: 'not_found' }));
    }
    if (!record.apiKeyValid) return send(json(401, { error: 'unauthorized' }));
    const id = decodeURIComponent(match[1]);
    const fault = queued.shift() ?? standing;
    if (fault?.kind === 'status') return send(json(fault.status ?? 503, { error: 'unavailable' }));
    if (fault?.kind === 'drop' && !fault.afterEffect) return drop();
    if (fault?.kind === 'slow') await wait(fault.delayMs);
    if (!vehicles.has(id)) return send(json(404, { error: 'unknown_vehicle' }));
    if (fault?.kind === 'refuse') return send(json(409, { error: 'refused', reason: fault.reason }));

    if (action === 'last-lock') {
      const answer = json(200, { vehicleId: id, lastLock: vehicles.get(id)!.lastLock });
      return fault?.kind === 'malformed' ? send({ status: 200, body: fault.body }) : send(answer);
    }
    if (!record.idempotencyKey || !KEY.test(record.idempotencyKey)) return send(json(400, { error: 'idempotency_key_required' }));
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return send(json(415, { error: 'json_required' }));
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      return send(json(400, { error: 'invalid_body' }));
    }
    const command = `${action} ${id}`;
    const seen = keys.get(record.idempotencyKey);
    if (seen && seen.command !== command) return send(json(422, { error: 'idempotency_key_reused' }));
    let answer: Answer;
    if (seen) {
      answer = await seen.answer;
    } else {
      answer = carryOut(id, action!);
      keys.set(record.idempotencyKey, { command, answer: Promise.resolve(answer) });
    }
    if (fault?.kind === 'drop') return drop();
    if (fault?.kind === 'malformed') return send({ status: 200, body: fault.body });
    send(answer);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
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
  const stop = () =>
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
    url: `http://127.0.0.1:${port}/api`,
    apiKey,
    requests,
    vehicle(id, readings = {}) {
      let v = vehicles.get(id);
      if (!v) {
        v = {
          locked: true,
          odometerKm: 12_345,
          energyLevelPercent: 80,
          latitude: 52.37,
          longitude: 4.89,
          unlocks: 0,
          locks: 0,
          lastLock: null,
        };
        vehicles.set(id, v);
      }
      Object.assign(v, readings);
      return v;
    },
    next: (...faults) => void queued.push(...faults),
    always: (fault) => void (standing = fault),
    reset() {
      requests.length = 0;
      vehicles.clear();
      keys.clear();
      queued = [];
      standing = null;
    },
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}
