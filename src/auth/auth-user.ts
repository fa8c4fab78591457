/** Who is calling, as read from a verified token. */
export interface AuthUser {
  /** Stable user id (the token's `sub`). */
  sub: string;
  /**
   * The user's id at seed 002's Customer Management Service: the token's `custom:customerId`
   * claim, where the identity provider sets one (a Cognito custom attribute). Absent
   * otherwise: customer verification then uses `sub` (DESIGN.md section 12).
   */
  customerId?: string;
  email?: string;
  roles: string[];
  /**
   * OAuth scopes the token grants (its `scope` claim), e.g. `holdfast/analytics.read` on a
   * Cognito client-credentials access token of a machine client. Absent when the token
   * grants none (people's tokens), so users look as they did before scopes existed.
   */
  scopes?: string[];
}

/** The claims we read, from our dev tokens or a Cognito user pool's id/access tokens. */
export interface TokenClaims {
  sub?: unknown;
  email?: unknown;
  roles?: unknown;
  'cognito:groups'?: unknown;
  /** Cognito's custom attribute `customerId`: the user's id at the Customer Management Service. */
  'custom:customerId'?: unknown;
  /** OAuth scopes: a space-delimited string (Cognito access tokens, RFC 8693) or an array. */
  scope?: unknown;
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

/** The longest `custom:customerId` taken (Cognito caps a custom attribute at 2048; ids are far shorter). */
export const MAX_CUSTOMER_ID_LENGTH = 256;

/**
 * The `custom:customerId` claim when it is a usable id: a non-empty string of at most
 * MAX_CUSTOMER_ID_LENGTH characters without NUL (which no database column can hold).
 * Anything else counts as not set, like a missing claim: the user keeps `sub`.
 */
function customerIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CUSTOMER_ID_LENGTH) return undefined;
  return value.includes('\u0000') ? undefined : value;
}

/** At most this many scopes are read from a token; the rest are ignored. */
export const MAX_SCOPES = 32;
/** The longest scope taken (Cognito's resource-server scopes are `identifier/name`, far shorter). */
export const MAX_SCOPE_LENGTH = 256;

/**
 * The token's scopes: the `scope` claim as a space-delimited string (as Cognito's access
 * tokens carry it) or an array of strings. Bounded like `customerId`: at most MAX_SCOPES,
 * each a non-empty printable string of at most MAX_SCOPE_LENGTH characters without NUL or
 * other control characters; anything else is dropped (a junk scope grants nothing).
 */
export function scopesOf(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.slice(0, MAX_SCOPES * (MAX_SCOPE_LENGTH + 1)).split(' ') : stringList(value);
  const usable = raw.filter((scope) => scope.length > 0 && scope.length <= MAX_SCOPE_LENGTH && !hasControlCharacter(scope));
  return [...new Set(usable)].slice(0, MAX_SCOPES);
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Turns verified claims into a user, or null when they do not describe one (no `sub`,
 * or one with a NUL character, which no database column can hold).
 * Roles come from `roles` (dev tokens) and `cognito:groups` (Cognito); `customerId` from
 * `custom:customerId` when it is a usable id (otherwise the property is absent); scopes
 * from `scope` (see scopesOf). A Cognito machine token (client credentials: `sub` is the
 * app client id, no email, no groups) becomes a user with no roles and its scopes.
 */
export function userFromClaims(claims: TokenClaims): AuthUser | null {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.includes('\u0000')) return null;
  const roles = [...new Set([...stringList(claims.roles), ...stringList(claims['cognito:groups'])])];
  const customerId = customerIdOf(claims['custom:customerId']);
  const scopes = scopesOf(claims.scope);
  return {
    sub: claims.sub,
    ...(customerId === undefined ? {} : { customerId }),
    email: typeof claims.email === 'string' ? claims.email : undefined,
    roles,
    ...(scopes.length === 0 ? {} : { scopes }),
  };
}
