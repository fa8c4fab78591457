import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { securityHeaders, setHeaders } from './security-headers';

const OPTIONS = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };

function realResponse(): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/v1/reservations/hold';
  return { req, res: new ServerResponse(req) };
}

describe('securityHeaders', () => {
  it('sets exactly what helmet sets on a real response, with the same options', () => {
    const byHelmet = realResponse();
    let called = false;
    helmet(OPTIONS)(byHelmet.req, byHelmet.res, () => (called = true));
    expect(called).toBe(true);

    const precomputed = realResponse();
    setHeaders(securityHeaders(OPTIONS))(precomputed.req, precomputed.res, () => undefined);

    expect(precomputed.res.getHeaders()).toEqual(byHelmet.res.getHeaders());
    expect(Object.keys(precomputed.res.getHeaders()).length).toBeGreaterThanOrEqual(10);
    expect(precomputed.res.getHeader('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('refuses options whose headers cannot be computed once (a CSP directive that depends on the request)', () => {
    const perRequest = { contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } } };
    expect(() => securityHeaders(perRequest)).toThrow(/computed per request/);
  });
});
