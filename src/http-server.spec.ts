import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { validateEnv } from './config/env.schema';
import { answerClientErrors, configureHttpServer, type HttpDrain } from './http-server';

/** Far longer than any test here: a connection that closes did not close by timing out. */
const LONG = { HTTP_REQUEST_TIMEOUT_MS: 60_000, HTTP_HEADERS_TIMEOUT_MS: 60_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 60_000 };

interface Started {
  server: Server;
  drain: HttpDrain;
  port: number;
  /** Resolves with each request's response as the handler receives it. */
  next(): Promise<ServerResponse>;
}

const servers: Server[] = [];
const agents: Agent[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.close();
    server.closeAllConnections();
  }
  for (const agent of agents.splice(0)) agent.destroy();
});

/** A server whose handler leaves every response to the test. */
async function start(timeouts = LONG): Promise<Started> {
  const waiting: ((res: ServerResponse) => void)[] = [];
  const arrived: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const taker = waiting.shift();
    if (taker) taker(res);
    else arrived.push(res);
  });
  servers.push(server);
  const drain = configureHttpServer(server, timeouts);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    drain,
    port: (server.address() as AddressInfo).port,
    next: () => {
      const res = arrived.shift();
      return res ? Promise.resolve(res) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
  socket: Socket;
}

function get(port: number, agent: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, socket: req.socket! }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

const closed = (socket: Socket) => (socket.destroyed ? Promise.resolve() : once(socket, 'close').then(() => undefined));

describe('configureHttpServer', () => {
  it('takes its timeouts from the environment: 30 s, 20 s and 65 s by default; headers never longer than the whole request', () => {
    const env = validateEnv({});
    expect([env.HTTP_REQUEST_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS, env.HTTP_KEEP_ALIVE_TIMEOUT_MS]).toEqual([
      30_000, 20_000, 65_000,
    ]);
    expect(() => validateEnv({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS="6000": HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('sets the three timeouts on the server', async () => {
    const { server } = await start({
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_HEADERS_TIMEOUT_MS: 20_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout]).toEqual([30_000, 20_000, 65_000]);
  });

  it('answers 408 to a client that sends its headers but never the whole body', async () => {
    const { port } = await start({
      HTTP_REQUEST_TIMEOUT_MS: 300,
      HTTP_HEADERS_TIMEOUT_MS: 300,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    });
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    await closed(socket);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  }, 10_000); // Node's own check interval (30 s) would miss this: configureHttpServer sets 1 s
});

describe('answerClientErrors', () => {
  it('answers a request too slow to arrive with 408 in the JSON envelope, with a request id, and closes', async () => {
    const { server, port } = await start({
      HTTP_REQUEST_TIMEOUT_MS: 300,
      HTTP_HEADERS_TIMEOUT_MS: 300,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    });
    const logged: unknown[][] = [];
    answerClientErrors(server, (...args) => logged.push(args));
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    await closed(socket);
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const requestId = /\r\nX-Request-Id: ([0-9a-f-]{36})\r\n/.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String), requestId });
    expect(logged).toEqual([[requestId, 408, 'ERR_HTTP_REQUEST_TIMEOUT']]);
  }, 10_000);
});

describe('HttpDrain', () => {
  it('closes an idle keep-alive connection at once, so the server closes without waiting for keepAliveTimeout', async () => {
    const { server, drain, port, next } = await start();
    const agent = keepAliveAgent();
    const reply = get(port, agent);
    (await next()).end('first');
    const { status, connection, socket } = await reply;
    expect({ status, connection }).toEqual({ status: 200, connection: 'keep-alive' });
    expect(socket.destroyed).toBe(false); // idle in the agent's pool

    const serverClosed = once(server, 'close');
    drain.begin();
    await closed(socket);
    await serverClosed;
    expect(server.listening).toBe(false);
  });

  it('lets a request in flight finish, with Connection: close, and then closes its connection', async () => {
    const { server, drain, port, next } = await start();
    const agent = keepAliveAgent();
    const reply = get(port, agent);
    const res = await next(); // the handler has it: in flight
    const serverClosed = once(server, 'close');
    drain.begin();
    expect(drain.draining).toBe(true);
    expect(server.listening).toBe(false);

    res.end('done after the drain began');
    const { status, connection, body, socket } = await reply;
    expect({ status, connection, body }).toEqual({ status: 200, connection: 'close', body: 'done after the drain began' });
    await closed(socket);
    await serverClosed;
  });

  it('closes the connection of a response whose headers went out before the drain, once it ends', async () => {
    const { server, drain, port, next } = await start();
    const agent = keepAliveAgent();
    const reply = get(port, agent);
    const res = await next();
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('part one, ');
    const serverClosed = once(server, 'close');
    drain.begin();

    res.end('part two');
    const { status, connection, body, socket } = await reply;
    expect({ status, connection, body }).toEqual({ status: 200, connection: 'keep-alive', body: 'part one, part two' });
    await closed(socket);
    await serverClosed;
  });
});
