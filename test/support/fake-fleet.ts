import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FleetApiVehicle } from '../../src/fleet/fleet-api.port';

/**
 * A fake of the fleet's REST API (docs/fleet.md): `GET /vehicles` with `X-Api-Key`,
 * answering `{vehicles}` as set by the test, or the status it is told to fail with.
 */
export interface FakeFleet {
  url: string;
  /** The vehicles the next GET lists. */
  vehicles: FleetApiVehicle[];
  /** Answer this status instead (null: answer normally). */
  failWith: number | null;
  /** Requests seen, with whether their key was right. */
  requests: { path: string; apiKeyValid: boolean }[];
  close(): Promise<void>;
}

export async function startFakeFleet(apiKey: string): Promise<FakeFleet> {
  const sockets = new Set<Socket>();
  const fake: Omit<FakeFleet, 'url' | 'close'> = { vehicles: [], failWith: null, requests: [] };
  const server: Server = createServer((req, res) => {
    const apiKeyValid = req.headers['x-api-key'] === apiKey;
    fake.requests.push({ path: req.url ?? '', apiKeyValid });
    if (!apiKeyValid) return void res.writeHead(401).end();
    if (fake.failWith !== null) return void res.writeHead(fake.failWith).end();
    if (req.method !== 'GET' || req.url !== '/api/vehicles') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ vehicles: fake.vehicles }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/api`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
