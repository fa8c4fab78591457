import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** The server-side HTTP timeouts, from HTTP_*_TIMEOUT_MS (see docs/operations.md). */
export interface HttpServerTimeouts {
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
}

/**
 * How often Node checks the request and headers timeouts. Its default, 30 s, would let a
 * 20 s headers timeout fire after up to 50 s; the check only walks connections that are
 * part-way through sending a request, so once a second costs nothing.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * Applies the server timeouts to the app's HTTP server (before it listens) and returns
 * the handle that drains it at shutdown.
 */
export function configureHttpServer(server: Server, timeouts: HttpServerTimeouts): HttpDrain {
  server.requestTimeout = timeouts.HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = timeouts.HTTP_HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = timeouts.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  // The `connectionsCheckingInterval` option of http.createServer, which Nest does not let
  // us pass: Node keeps it on the server and reads it when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = TIMEOUT_CHECK_INTERVAL_MS;
  return new HttpDrain(server);
}

/**
 * Stops an HTTP server without cutting a request off and without waiting on idle
 * keep-alive connections.
 *
 * `server.close()` alone is not enough: it stops listening and (Node >= 19) closes the
 * connections idle at that moment, but a keep-alive connection busy at that moment stays
 * open after its response, and takes further requests, until the client leaves or
 * `keepAliveTimeout` passes, so the close callback (which Nest's `app.close()` awaits) can
 * wait for ever on a client that keeps sending. While draining, every response therefore
 * says `Connection: close`, and each connection that falls idle is closed.
 */
export class HttpDrain {
  private started = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly server: Server) {
    // Prepended, so it runs before Express can answer (and send its headers).
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      this.inFlight.add(res);
      if (this.started) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.inFlight.delete(res);
        // A response whose headers had gone out before the drain began kept its connection.
        if (this.started) setImmediate(() => this.server.closeIdleConnections());
      });
    });
  }

  /** True once `begin()` ran. */
  get draining(): boolean {
    return this.started;
  }

  /**
   * Stops accepting connections and closes the idle ones; requests in flight go on and
   * their connections close after the response. Call it once, first thing at shutdown;
   * later calls do nothing. `app.close()` then waits for the last connection to go.
   */
  begin(): void {
    if (this.started) return;
    this.started = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (this.server.listening) this.server.close();
    this.server.closeIdleConnections();
  }
}

/** What a refused request is answered with, by the error code Node's HTTP parser gives. */
const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large (16 KB at most, all of them together)' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'The chunk extensions of the request body are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive' },
};
const MALFORMED = { status: 400, message: 'The request is not valid HTTP' };

/**
 * Answers, in the JSON error envelope, the requests Node's HTTP parser refuses before
 * Express (and so our exception filter) sees them: headers over Node's 16 KB limit
 * (431), a request that is not valid HTTP (400), one too slow to arrive (408, see
 * HTTP_*_TIMEOUT_MS). Without a `clientError` listener Node writes a bare status line
 * and no body. The code is VALIDATION_FAILED (413: PAYLOAD_TOO_LARGE), the nearest in
 * DESIGN.md section 6; the request id is a new one, since the request's own headers were
 * never read. The connection closes once the answer is sent, as Node's own answer does.
 */
export function answerClientErrors(server: Server, log?: (requestId: string, status: number, code: string) => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A second error on a connection already answered (the rest of a huge header) changes nothing.
    if (socket.writableEnded) return;
    // Nothing can be sent once a response has begun on this connection, nor on a dead one.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || error.code === 'ECONNRESET' || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED';
    const requestId = randomUUID();
    const body = JSON.stringify({ error: code, message, requestId });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
      () => socket.destroy(),
    );
    log?.(requestId, status, error.code ?? 'unknown');
  });
}
