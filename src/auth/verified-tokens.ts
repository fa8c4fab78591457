import type { AuthUser } from './auth-user';

/** How long a verified token is trusted without checking its signature again. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Bearer tokens this process verified recently, with the user each one names, so a
 * client's next requests with the same token skip the signature check and the claims
 * checks (an app sends the same access token for its whole life, up to an hour). Keyed
 * by the whole token string: only the exact token that passed gets in. An entry lives
 * until the token expires or VERIFIED_TOKEN_TTL_MS passes, whichever is first, so a
 * change of configuration (issuer, audience, keys) applies within a minute. Only tokens
 * that passed are kept; a failed one is checked in full every time.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { user: AuthUser; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The user of a token verified earlier and still valid, or undefined. */
  get(token: string): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /**
   * Remembers a token that has just passed verification (its `exp` read from the verified
   * payload). One without `exp` is never kept: verification refuses it, and this cache
   * must not be the place where a token that never expires lives on.
   */
  remember(token: string, user: AuthUser): void {
    const expiresAt = expiryOf(token);
    if (expiresAt === null) return;
    const until = Math.min(this.now() + VERIFIED_TOKEN_TTL_MS, expiresAt);
    if (until <= this.now()) return;
    if (this.entries.size >= MAX_ENTRIES) {
      // The oldest entry goes (a Map iterates in insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { user, until });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The `exp` of a (verified) JWT in epoch ms, or null when it has none or cannot be read. */
function expiryOf(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
