import jwt from 'jsonwebtoken';

export interface DevTokenRequest {
  sub: string;
  roles?: string[];
  email?: string;
  /** OAuth scopes, written as one space-delimited `scope` claim (as Cognito's machine tokens carry them). */
  scopes?: string[];
}

/**
 * Mints HS256 tokens shaped like a Cognito access token (`sub`, `email`,
 * `cognito:groups`, `token_use`, and `scope` when asked), for AUTH_MODE=dev only. Shared by POST /v1/dev/token
 * and `npm run token`. Every token carries `exp`, `ttlSeconds` from now: verification
 * refuses a token without one.
 */
export function mintDevToken(
  secret: string,
  request: DevTokenRequest,
  ttlSeconds: number,
  audience?: string,
  issuer?: string,
): string {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error(`a dev token needs a positive lifetime, got ${ttlSeconds}`);
  const claims: Record<string, unknown> = {
    sub: request.sub,
    'cognito:groups': request.roles ?? [],
    token_use: 'access',
  };
  if (request.email) claims.email = request.email;
  if (request.scopes?.length) claims.scope = request.scopes.join(' ');
  if (audience) claims.client_id = audience;
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: ttlSeconds, ...(issuer ? { issuer } : {}) });
}
