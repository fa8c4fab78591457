import type { AppConfig } from '../config/app-config';

/** What the auth module reads from the validated environment (src/config/config-slices.ts provides it). */
export class AuthConfig {
  /** AUTH_MODE: `dev` (HS256 tokens signed with `jwtSecret`, POST /v1/dev/token) or `jwks` (RS256 from `jwksUrl`). */
  readonly mode: 'dev' | 'jwks';
  /** JWT_SECRET: signs and verifies dev tokens (AUTH_MODE=dev). */
  readonly jwtSecret: string;
  /** JWT_JWKS_URL: where the signing keys are published (AUTH_MODE=jwks; validated present then). */
  readonly jwksUrl?: string;
  /** JWT_ISSUER: the `iss` a token must carry, if set. */
  readonly issuer?: string;
  /** JWT_AUDIENCE: the `aud` (or Cognito `client_id`) a token must carry, if set. */
  readonly audience?: string;
  /** DEV_TOKEN_TTL_SECONDS: lifetime of a token from POST /v1/dev/token. */
  readonly devTokenTtlSeconds: number;

  constructor(env: AppConfig) {
    this.mode = env.AUTH_MODE as AuthConfig['mode'];
    this.jwtSecret = env.JWT_SECRET;
    this.jwksUrl = env.JWT_JWKS_URL;
    this.issuer = env.JWT_ISSUER;
    this.audience = env.JWT_AUDIENCE;
    this.devTokenTtlSeconds = env.DEV_TOKEN_TTL_SECONDS;
  }
}
