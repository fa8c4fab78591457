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
export function configureHttpServer(server, timeouts) {
    server.requestTimeout = timeouts.HTTP_REQUEST_TIMEOUT_MS;
    server.headersTimeout = timeouts.HTTP_HEADERS_TIMEOUT_MS;
    server.keepAliveTimeout = timeouts.HTTP_KEEP_ALIVE_TIMEOUT_MS;
    // The `connectionsCheckingInterval` option of http.createServer, which Nest does not let
    // us pass: Node keeps it on the server and reads it when the server starts listening.
    server.connectionsCheckingInterval = TIMEOUT_CHECK_INTERVAL_MS;
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
    constructor(server) {
        this.server = server;
        this.started = false;
        this.inFlight = new Set();
        // Prepended, so it runs before Express can answer (and send its headers).
        server.prependListener('request', (_req, res) => {
            this.inFlight.add(res);
            if (this.started)
                res.setHeader('Connection', 'close');
            res.once('close', () => {
                this.inFlight.delete(res);
                // A response whose headers had gone out before the drain began kept its connection.
                if (this.started)
                    setImmediate(() => this.server.closeIdleConnections());
            });
        });
    }
    /** True once `begin()` ran. */
    get draining() {
        return this.started;
    }
    /**
     * Stops accepting connections and closes the idle ones; requests in flight go on and
     * their connections close after the response. Call it once, first thing at shutdown;
     * later calls do nothing. `app.close()` then waits for the last connection to go.
     */
    begin() {
        if (this.started)
            return;
        this.started = true;
        for (const res of this.inFlight)
            if (!res.headersSent)
                res.setHeader('Connection', 'close');
        if (this.server.listening)
            this.server.close();
        this.server.closeIdleConnections();
    }
}
//# sourceMappingURL=http-server.js.map