import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { Clock } from '@holdfast/clock';
import { AuthConfig } from './auth.config';
import { type AuthUser, type TokenClaims, userFromClaims } from './auth-user';

function strategyOptions(config: AuthConfig): StrategyOptionsWithoutRequest {
  const jwtFromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();
  if (config.mode === 'jwks') {
    return {
      jwtFromRequest,
      algorithms: ['RS256'],
      issuer: config.issuer,
      ignoreExpiration: false,
      secretOrKeyProvider: passportJwtSecret({
        jwksUri: config.jwksUrl as string,
        cache: true,
        cacheMaxAge: 10 * 60 * 1000,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 5000,
      }),
    };
  }
  return {
    jwtFromRequest,
    algorithms: ['HS256'],
    // A KeyObject, built once: given a string, jsonwebtoken first tries (and fails) to
    // parse it as a public key on every request, which cost 13 % of a hold's CPU.
    secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
    issuer: config.issuer,
    ignoreExpiration: false,
  };
}

/**
 * Verifies bearer tokens: HS256 with JWT_SECRET (AUTH_MODE=dev) or RS256 against a
 * JWKS such as a Cognito user pool's (AUTH_MODE=jwks). Only the configured algorithm
 * is accepted, so `alg: none` and algorithm-confusion tokens fail.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly config: AuthConfig,
    clock: Clock,
  ) {
    super(strategyOptions(config));
    // `exp` and `nbf` are checked against the app's clock: jsonwebtoken takes the time as
    // `clockTimestamp`, and passport-jwt hands jsonwebtoken the options object it built
    // once (`_verifOpts`), which jsonwebtoken copies on every verify, so a getter there
    // is read per token. Without it jsonwebtoken reads Date.now().
    const verifyOptions = (this as unknown as { _verifOpts?: object })._verifOpts;
    if (!verifyOptions) throw new Error('passport-jwt no longer keeps its jsonwebtoken options in _verifOpts');
    Object.defineProperty(verifyOptions, 'clockTimestamp', { enumerable: true, get: () => clock.nowSeconds() });
  }

  /**
   * Runs on a token whose signature, algorithm, issuer and (if present) expiry passed.
   * jsonwebtoken checks `exp` only when there is one, so a token without it would never
   * expire: refused here. Cognito puts the app client id in `aud` (id tokens) or
   * `client_id` (access tokens).
   */
  validate(claims: TokenClaims): AuthUser | false {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return false;
    const audience = this.config.audience;
    if (audience) {
      const tokenAudience = claims.token_use === 'access' ? claims.client_id : claims.aud;
      const audiences = Array.isArray(tokenAudience) ? tokenAudience : [tokenAudience];
      if (!audiences.includes(audience)) return false;
    }
    if (claims.token_use !== undefined && claims.token_use !== 'access' && claims.token_use !== 'id') return false;
    return userFromClaims(claims) ?? false;
  }
}
