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
}

/** The claims we read, from our dev tokens or a Cognito user pool's id/access tokens. */
export interface TokenClaims {
  sub?: unknown;
  email?: unknown;
  roles?: unknown;
  'cognito:groups'?: unknown;
  /** Cognito's custom attribute `customerId`: the user's id at the Customer Management Service. */
  'custom:customerId'?: unknown;
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

/**
 * Turns verified claims into a user, or null when they do not describe one (no `sub`,
 * or one with a NUL character, which no database column can hold).
 * Roles come from `roles` (dev tokens) and `cognito:groups` (Cognito); `customerId` from
 * `custom:customerId` when it is a usable id (otherwise the property is absent).
 */
export function userFromClaims(claims: TokenClaims): AuthUser | null {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.includes('\u0000')) return null;
  const roles = [...new Set([...stringList(claims.roles), ...stringList(claims['cognito:groups'])])];
  const customerId = customerIdOf(claims['custom:customerId']);
  return {
    sub: claims.sub,
    ...(customerId === undefined ? {} : { customerId }),
    email: typeof claims.email === 'string' ? claims.email : undefined,
    roles,
  };
}
