/** Who is calling, as read from a verified token. */
export interface AuthUser {
  /** Stable user id (the token's `sub`). */
  sub: string;
  email?: string;
  roles: string[];
}

/** The claims we read, from our dev tokens or a Cognito user pool's id/access tokens. */
export interface TokenClaims {
  sub?: unknown;
  email?: unknown;
  roles?: unknown;
  'cognito:groups'?: unknown;
  token_use?: unknown;
  client_id?: unknown;
  aud?: unknown;
  /** Expiry, seconds since the epoch; required (a token without it is refused). */
  exp?: unknown;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string' && value) return [value];
  return [];
}

/**
 * Turns verified claims into a user, or null when they do not describe one (no `sub`,
 * or one with a NUL character, which no database column can hold).
 * Roles come from `roles` (dev tokens) and `cognito:groups` (Cognito).
 */
export function userFromClaims(claims: TokenClaims): AuthUser | null {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.includes('\u0000')) return null;
  const roles = [...new Set([...stringList(claims.roles), ...stringList(claims['cognito:groups'])])];
  return { sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : undefined, roles };
}
