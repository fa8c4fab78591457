import jwt from 'jsonwebtoken';
/**
 * Mints HS256 tokens shaped like a Cognito access token (`sub`, `email`,
 * `cognito:groups`, `token_use`), for AUTH_MODE=dev only. Shared by POST /v1/dev/token
 * and `npm run token`.
 */
export function mintDevToken(secret, request, ttlSeconds, audience, issuer) {
    const claims = {
        sub: request.sub,
        'cognito:groups': request.roles ?? [],
        token_use: 'access',
    };
    if (request.email)
        claims.email = request.email;
    if (audience)
        claims.client_id = audience;
    return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: ttlSeconds, ...(issuer ? { issuer } : {}) });
}
//# sourceMappingURL=dev-token.service.js.map