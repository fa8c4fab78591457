import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** A response header as Node takes it. */
export type HeaderPair = readonly [name: string, value: string];

/**
 * The headers helmet sets with these options, computed once: helmet stays the source of
 * its values (upgrade it and they follow), while a request pays for one loop of
 * `setHeader` instead of a dozen middlewares (issue 16: helmet's chain was 7 to 11 % of
 * the app's CPU on the hold route). Helmet's default middlewares depend on nothing in the
 * request and set constant values; this throws if that ever stops being true (a CSP
 * directive computed per request, a header set asynchronously, an error), rather than
 * serve a frozen nonce or a partial set.
 */
export function securityHeaders(options: HelmetOptions): HeaderPair[] {
  const csp = options.contentSecurityPolicy;
  const directives = typeof csp === 'object' && csp.directives ? Object.values(csp.directives) : [];
  if (
    directives.some(
      (value) => typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')),
    )
  ) {
    throw new Error('a Content-Security-Policy directive computed per request (a nonce) cannot be precomputed');
  }
  const headers = new Map<string, string>();
  const response = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string): void {
      headers.delete(name.toLowerCase());
    },
    getHeader(name: string): string | undefined {
      return headers.get(name.toLowerCase());
    },
  };
  let finished = false;
  helmet(options)(
    { headers: {}, method: 'GET', url: '/' } as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error(String(error));
      finished = true;
    },
  );
  if (!finished) throw new Error('helmet did not set its headers synchronously: they cannot be precomputed');
  return [...headers];
}

/** Express middleware that sets these headers on every response. */
export function setHeaders(headers: readonly HeaderPair[]) {
  return (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
