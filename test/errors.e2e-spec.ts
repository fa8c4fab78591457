import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PinoLogger } from 'nestjs-pino';
import type request from 'supertest';
import {
  BOOM_MESSAGE,
  DETAIL_EMAIL,
  ErrorProbeModule,
  SQL_PARAMETER_EMAIL,
  SQL_PARAMETER_PHONE,
} from './support/error-probe.module';
import { captureOutput } from './support/output';
import { createTestApp, type TestApp } from './support/test-app';

const INTERNAL = { error: 'INTERNAL_ERROR', message: 'An unexpected error occurred', requestId: expect.any(String) };

/** Nothing a 500 says may reveal SQL, table names or where in the code it broke. */
function expectNoLeak(text: string): void {
  expect(text).not.toContain('SELECT');
  expect(text).not.toContain('secret_table');
  expect(text).not.toContain('password');
  expect(text).not.toMatch(/\bat \S+ \(/); // a stack frame: "at fn (file:line:col)"
  expect(text).not.toMatch(/\.(ts|js):\d+/);
}

/** Credentials a careless client puts in a URL; none may reach the logs. */
const QUERY_SECRET_VALUES = [
  'qs-access-token-value',
  'qs-token-value',
  'qs-api-key-value',
  'qs-client-secret-value',
  'qs-password-value',
  'qs-signature-value',
  'qs-encoded-key-value',
  'qs-amz-signature-value',
];
const QUERY_SECRETS = [
  'limit=5',
  `access_token=${QUERY_SECRET_VALUES[0]}`,
  `TOKEN=${QUERY_SECRET_VALUES[1]}`,
  `api_key=${QUERY_SECRET_VALUES[2]}`,
  `Client_Secret=${QUERY_SECRET_VALUES[3]}`,
  `password=${QUERY_SECRET_VALUES[4]}`,
  `signature=${QUERY_SECRET_VALUES[5]}`,
  `access%5Ftoken=${QUERY_SECRET_VALUES[6]}`,
  `X-Amz-Signature=${QUERY_SECRET_VALUES[7]}`,
  'q=kayak',
].join('&');

const validEcho = { name: 'probe', count: 2, items: [{ sku: 'A-1', quantity: 1 }] };

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// First in the file on purpose: nestjs-pino builds ONE pino-http instance per process, on
// first use, so the first app of a file decides the log level for every later one.
describe('the logs', () => {
  let t: TestApp;
  let output = '';
  let bearer = '';

  beforeAll(async () => {
    output = await captureOutput(async () => {
      t = await createTestApp({ imports: [ErrorProbeModule], env: { LOG_LEVEL: 'info' } });
      bearer = t.token('log-probe-user');
      await t.http.get('/v1/test-errors/boom').set('X-Request-Id', 'log-probe-500').expect(500);
      await t.http.get('/v1/test-errors/query-fail').set('X-Request-Id', 'log-probe-sql').expect(500);
      await t.http
        .post('/v1/test-errors/log-guest')
        .set('Authorization', `Bearer ${bearer}`)
        .set('X-Request-Id', 'log-probe-guest')
        .expect(204);
      await t.http
        .post('/v1/dev/token')
        .set('Authorization', `Bearer ${bearer}`)
        .send({ sub: 'alice', email: 'alice.probe@example.com' })
        .expect(200);
      await t.http.get('/v1/test-errors/unique-fail').set('X-Request-Id', 'log-probe-detail').expect(500);
      // Credentials in query strings, in the access log (200 and 404) and in a 500's error line.
      for (const path of ['/v1/catalog/offerings', '/v1/no-such-route', '/v1/test-errors/boom']) {
        await t.http.get(`${path}?${QUERY_SECRETS}`).set('X-Request-Id', `log-probe-query${path.replaceAll('/', '-')}`);
      }
    });
  });
  afterAll(async () => {
    await t?.close();
    // Keep the rest of this file quiet: the later apps share this pino instance.
    if (PinoLogger.root) PinoLogger.root.level = 'silent';
  });

  it('are JSON lines, each with a level and a time', () => {
    const lines = jsonLines(output);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
    const nodeWarning = /^\(node:\d+\) ExperimentalWarning|^\(Use `node --trace-warnings/; // jest's, on stderr
    const other = output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{') && !nodeWarning.test(line));
    expect(other).toEqual([]);
  });

  it('record a 500 with its request id and the error', () => {
    const lines = jsonLines(output);
    const errorLine = lines.find((l) => l.requestId === 'log-probe-500' && l.context === 'Exceptions');
    expect(errorLine).toMatchObject({
      level: 50,
      req: { id: 'log-probe-500' },
      err: { message: BOOM_MESSAGE, stack: expect.stringContaining('Error') },
    });
    const sqlLine = lines.find((l) => l.requestId === 'log-probe-sql' && l.context === 'Exceptions');
    expect(sqlLine).toMatchObject({ level: 50, req: { id: 'log-probe-sql' }, err: { type: 'QueryFailedError' } });
    const access = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'log-probe-500' && l.res);
    expect(access).toMatchObject({ level: 50, res: { statusCode: 500 } });
  });

  it('redact credentials in query strings, whatever their case or encoding, and keep the rest of the URL', () => {
    const lines = jsonLines(output);
    const urls = lines
      .filter((l) => String((l.req as { id?: string } | undefined)?.id ?? l.requestId ?? '').startsWith('log-probe-query'))
      .flatMap((l) => [(l.req as { url?: string } | undefined)?.url, l.url as string | undefined, l.msg as string])
      .filter((u): u is string => typeof u === 'string' && u.includes('?'));
    expect(urls.length).toBeGreaterThanOrEqual(4); // three access-log lines and the 500's error line at least
    for (const url of urls) {
      expect(url).toContain('limit=5');
      expect(url).toContain('q=kayak');
      expect(url).toContain('access_token=[redacted]');
      expect(url).toContain('Client_Secret=[redacted]');
    }
    for (const secret of QUERY_SECRET_VALUES) expect(output).not.toContain(secret);
  });

  it("redact the row values PostgreSQL puts in an error's detail", () => {
    const lines = jsonLines(output);
    const errorLine = lines.find((l) => l.requestId === 'log-probe-detail' && l.context === 'Exceptions');
    expect(errorLine).toMatchObject({ level: 50, err: { type: 'QueryFailedError', code: '23505', detail: '[redacted]' } });
    expect(output).not.toContain(DETAIL_EMAIL);
  });

  it('never contain the bearer token, guest contact details or card numbers', () => {
    expect(output).toContain('log-probe-guest'); // the probe's request was logged...
    expect(output).toContain('guest details received'); // ...and so was its log call
    for (const secret of [
      bearer,
      bearer.split('.')[2], // not even the signature
      'probe-secret-token',
      'guest.probe@example.com',
      'nested.probe@example.com',
      'alice.probe@example.com',
      '5550001234',
      '5550009876',
      '4242424242424242',
      SQL_PARAMETER_EMAIL,
      SQL_PARAMETER_PHONE,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('the error envelope', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [ErrorProbeModule] });
  });
  afterAll(async () => t.close());

  it('passes a valid body through, transformed into the DTO classes', async () => {
    const res = await t.http.post('/v1/test-errors/echo').send(validEcho).expect(200);
    expect(res.body).toEqual({ received: validEcho, isDto: true, isItemDto: true });
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await t.http
      .post('/v1/test-errors/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": "probe", "count": ')
      .expect(400);
    expect(res.body).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String), requestId: expect.any(String) });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('rejects an unknown field and names it in details', async () => {
    const res = await t.http
      .post('/v1/test-errors/echo')
      .send({ ...validEcho, isAdmin: true })
      .expect(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', requestId: expect.any(String) });
    expect(res.body.details).toEqual([{ field: 'isAdmin', message: expect.stringContaining('isAdmin') }]);
  });

  it('rejects an unknown field inside a nested object with its path', async () => {
    const res = await t.http
      .post('/v1/test-errors/echo')
      .send({ ...validEcho, items: [{ sku: 'A-1', quantity: 1, price: 0 }] })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'items.0.price', message: expect.stringContaining('price') }]);
  });

  it('gives a nested field error the path of the field', async () => {
    const res = await t.http
      .post('/v1/test-errors/echo')
      .send({
        ...validEcho,
        items: [
          { sku: 'A-1', quantity: 1 },
          { sku: 'B-2', quantity: 0 },
        ],
      })
      .expect(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(res.body.details).toEqual([{ field: 'items.1.quantity', message: expect.stringContaining('quantity') }]);
  });

  it('lists every wrong type, one detail per problem, without coercing strings to numbers', async () => {
    const res = await t.http.post('/v1/test-errors/echo').send({ name: 42, count: '3', items: 'none' }).expect(400);
    const fields = (res.body.details as { field: string }[]).map((d) => d.field);
    expect(new Set(fields)).toEqual(new Set(['name', 'count', 'items']));
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'name must be a string' },
        { field: 'count', message: 'count must be an integer number' },
      ]),
    );
  });

  it('reports missing required fields', async () => {
    const res = await t.http.post('/v1/test-errors/echo').send({}).expect(400);
    const fields = new Set((res.body.details as { field: string }[]).map((d) => d.field));
    expect(fields).toEqual(new Set(['name', 'count', 'items']));
  });

  it('answers a body over 1 MB with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = { ...validEcho, name: 'x'.repeat(1024 * 1024 + 1) };
    const res = await t.http.post('/v1/test-errors/echo').send(big).expect(413);
    expect(res.body).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: expect.any(String), requestId: expect.any(String) });
  });

  it('accepts a body just under 1 MB (the limit is 1 MB, not less)', async () => {
    const name = 'x'.repeat(1000 * 1000);
    const res = await t.http
      .post('/v1/test-errors/echo')
      .send({ ...validEcho, name })
      .expect(200);
    expect(res.body.received.name).toHaveLength(name.length);
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await t.http.get('/v1/test-errors/no-such-thing').expect(404);
    expect(res.body).toEqual({ error: 'NOT_FOUND', message: expect.any(String), requestId: expect.any(String) });
  });

  it('answers a wrong method on an existing path with 404 NOT_FOUND', async () => {
    const res = await t.http.delete('/v1/test-errors/echo').expect(404);
    expect(res.body).toEqual({ error: 'NOT_FOUND', message: expect.any(String), requestId: expect.any(String) });
  });

  it('answers an unexpected Error with a bare 500 INTERNAL_ERROR', async () => {
    const res = await t.http.get('/v1/test-errors/boom').expect(500);
    expect(res.body).toEqual(INTERNAL);
    expectNoLeak(res.text);
    expect(res.text).not.toContain(BOOM_MESSAGE);
  });

  it('answers a real QueryFailedError with a bare 500 INTERNAL_ERROR, no SQL', async () => {
    const res = await t.http.get('/v1/test-errors/query-fail').expect(500);
    expect(res.body).toEqual(INTERNAL);
    expectNoLeak(res.text);
    expect(res.text).not.toContain('relation');
  });

  it('answers a database it cannot reach with 503 SERVICE_UNAVAILABLE and Retry-After, not 500, and no address', async () => {
    const res = await t.http.get('/v1/test-errors/db-unreachable').expect(503);
    expect(res.body).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String), requestId: expect.any(String) });
    expect(res.body.message).toMatch(/retry/i);
    expect(res.headers['retry-after']).toBe('2');
    expectNoLeak(res.text);
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(res.text).not.toContain('127.0.0.1');
  });

  it('documents 503 SERVICE_UNAVAILABLE with Retry-After on every /v1 operation that uses the database', async () => {
    type Operation = { responses: Record<string, { description?: string; headers?: Record<string, unknown> }> };
    const docs = (await t.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.entries(docs.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, operation })),
    );
    const api = operations.filter((op) => op.path.startsWith('/v1/'));
    expect(api.length).toBeGreaterThan(20);
    for (const op of api) {
      const unavailable = op.operation.responses['503'];
      if (op.path === '/v1/dev/token') {
        expect({ op: op.key, unavailable }).toEqual({ op: op.key, unavailable: undefined });
        continue;
      }
      expect({ op: op.key, description: unavailable?.description }).toEqual({
        op: op.key,
        description: expect.stringContaining('SERVICE_UNAVAILABLE'),
      });
      // Only a hold and an availability read reach the inventory system (external goods); a database outage is never INVENTORY_UNAVAILABLE.
      const reachesIms = ['POST /v1/reservations/hold', 'GET /v1/catalog/offerings/{id}/availability'].includes(op.key);
      if (!reachesIms) expect(unavailable.description).not.toContain('INVENTORY_UNAVAILABLE');
      expect(unavailable.headers).toHaveProperty('Retry-After');
    }
    expect(operations.find((op) => op.path === '/health/ready')?.operation.responses['503']?.description).not.toContain(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('echoes an incoming X-Request-Id in the header and the body', async () => {
    const res = await t.http.get('/v1/test-errors/boom').set('X-Request-Id', 'probe-req-0001').expect(500);
    expect(res.headers['x-request-id']).toBe('probe-req-0001');
    expect(res.body.requestId).toBe('probe-req-0001');
  });

  it('makes up a request id when none (or a malformed one) is sent, and uses it in header and body', async () => {
    const none = await t.http.get('/v1/test-errors/boom').expect(500);
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.body.requestId).toBe(none.headers['x-request-id']);

    const bad = await t.http.get('/v1/test-errors/boom').set('X-Request-Id', 'bad id with spaces <script>').expect(500);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.body.requestId).toBe(bad.headers['x-request-id']);
  });

  /** The envelope, with a request id that is also the X-Request-Id header (and `id` when given). */
  function expectEnvelope(res: request.Response, status: number, error: string, id?: string): void {
    expect({ status: res.status, type: res.headers['content-type'], body: res.body }).toEqual({
      status,
      type: expect.stringMatching(/^application\/json/),
      body: { error, message: expect.any(String), requestId: res.headers['x-request-id'] },
    });
    expect(res.headers['x-request-id']).toEqual(id ?? expect.stringMatching(/^[0-9a-f-]{36}$/));
  }

  it('answers paths outside /v1 with the JSON 404 NOT_FOUND envelope, never an HTML page', async () => {
    for (const [method, path] of [
      ['get', '/foo'],
      ['post', '/foo'],
      ['get', '/'],
      ['delete', '/health/live'],
      ['get', '/health'],
      ['get', '/docs/no-such-file'],
      ['put', '/v1foo'],
    ] as const) {
      const res = await t.http[method](path);
      expectEnvelope(res, 404, 'NOT_FOUND');
      expect(res.text).not.toContain('<');
    }
    expectEnvelope(await t.http.get('/foo').set('X-Request-Id', 'probe-404-outside'), 404, 'NOT_FOUND', 'probe-404-outside');
  });

  it('answers malformed JSON with a fixed message that quotes nothing of the body, and with the request id', async () => {
    for (const body of ['{"name": "hunter2-secret", "count": ', '{"name": "hunter2-secret", ', "{'name': 'hunter2-secret'}"]) {
      const res = await t.http.post('/v1/test-errors/echo').set('Content-Type', 'application/json').send(body);
      expectEnvelope(res, 400, 'VALIDATION_FAILED');
      expect(res.body.message).toBe('The request body is not valid JSON');
      expect(res.text).not.toContain('hunter2');
      expect(res.text).not.toMatch(/position|Unexpected|Expected/);
    }
    const echoed = await t.http
      .post('/v1/test-errors/echo')
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'probe-bad-json')
      .send('{"name": ');
    expectEnvelope(echoed, 400, 'VALIDATION_FAILED', 'probe-bad-json');
  });

  it('answers a body it cannot decode without echoing the client (charset, encoding), with the request id', async () => {
    const charset = await t.http
      .post('/v1/test-errors/echo')
      .set('Content-Type', 'application/json; charset=hunter2-charset')
      .send('{}');
    expectEnvelope(charset, 415, 'VALIDATION_FAILED');
    const encoding = await t.http
      .post('/v1/test-errors/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'hunter2-encoding')
      .send('{}');
    expectEnvelope(encoding, 415, 'VALIDATION_FAILED');
    expect(charset.text + encoding.text).not.toContain('hunter2');
  });

  it('answers a path parameter with a broken percent-encoding with 400, without echoing it', async () => {
    const res = await t.http.get('/v1/catalog/offerings/hunter2%FF');
    expectEnvelope(res, 400, 'VALIDATION_FAILED');
    expect(res.text).not.toContain('hunter2');
  });

  it('answers a body over 1 MB with 413 PAYLOAD_TOO_LARGE and the request id, inside /v1 or not', async () => {
    const big = JSON.stringify({ ...validEcho, name: 'x'.repeat(1024 * 1024 + 1) });
    for (const path of ['/v1/test-errors/echo', '/foo', '/v1/webhooks/stripe']) {
      const res = await t.http.post(path).set('Content-Type', 'application/json').send(big);
      expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
    }
    const form = await t.http
      .post('/v1/test-errors/echo')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('X-Request-Id', 'probe-413-form')
      .send(`name=${'x'.repeat(1024 * 1024 + 1)}`);
    expectEnvelope(form, 413, 'PAYLOAD_TOO_LARGE', 'probe-413-form');
  });

  it('renders an AppError with the status and code of DESIGN.md', async () => {
    const res = await t.http.get('/v1/test-errors/app-error').set('X-Request-Id', 'probe-req-0002').expect(409);
    expect(res.body).toEqual({ error: 'NOT_ENOUGH_CAPACITY', message: 'Only 2 places are left', requestId: 'probe-req-0002' });
  });
});

/** Writes `text` on a new connection and resolves with everything the server sends until it closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('close', () => resolve(received));
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    socket.write(text);
  });
}

/** A raw HTTP/1.1 response: status, lower-cased headers, and the body parsed as JSON. */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe("what Node's HTTP parser refuses before Express sees it", () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ imports: [ErrorProbeModule] });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => t?.close());

  it('answers headers over 16 KB with 431 and the JSON envelope (VALIDATION_FAILED), with a request id', async () => {
    for (const size of [20_000, 200_000]) {
      const text = await rawExchange(port, `GET /v1/test-errors/boom HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`);
      const res = parseRaw(text);
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).toEqual({
        error: 'VALIDATION_FAILED',
        message: expect.stringContaining('headers'),
        requestId: res.headers['x-request-id'],
      });
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(res.body)));
    }
  });

  it('answers a request it cannot parse with 400 and the JSON envelope', async () => {
    const res = parseRaw(await rawExchange(port, 'GET /v1 HTTP/1.1\r\nHost t\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String), requestId: res.headers['x-request-id'] });
  });

  it('still serves the next connection normally', async () => {
    await t.http.get('/health/live').expect(200);
  });
});
