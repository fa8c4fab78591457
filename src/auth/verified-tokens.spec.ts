import { describe, expect, it } from '@jest/globals';
import { VERIFIED_TOKEN_TTL_MS, VerifiedTokens } from './verified-tokens';

const alice = { sub: 'alice', roles: [] };

/** A token-shaped string whose payload has this `exp` (seconds); the cache never checks signatures. */
function tokenWithExp(exp?: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(exp === undefined ? { sub: 'alice' } : { sub: 'alice', exp })}.signature`;
}

describe('VerifiedTokens', () => {
  it('knows a remembered token until VERIFIED_TOKEN_TTL_MS has passed', () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens(() => now);
    const token = tokenWithExp(now / 1000 + 3600);
    tokens.remember(token, alice);
    expect(tokens.get(token)).toEqual(alice);
    now += VERIFIED_TOKEN_TTL_MS - 1;
    expect(tokens.get(token)).toEqual(alice);
    now += 1;
    expect(tokens.get(token)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('never outlives the token: an entry ends at its exp', () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens(() => now);
    const token = tokenWithExp(now / 1000 + 5);
    tokens.remember(token, alice);
    now += 4_999;
    expect(tokens.get(token)).toEqual(alice);
    now += 1;
    expect(tokens.get(token)).toBeUndefined();
  });

  it('does not keep a token already expired, nor one without exp (it would never expire)', () => {
    const now = 1_000_000;
    const tokens = new VerifiedTokens(() => now);
    tokens.remember(tokenWithExp(now / 1000 - 1), alice);
    expect(tokens.size).toBe(0);
    const noExp = tokenWithExp();
    tokens.remember(noExp, alice);
    expect(tokens.get(noExp)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('matches the exact token string only', () => {
    const tokens = new VerifiedTokens();
    const token = tokenWithExp(Date.now() / 1000 + 60);
    tokens.remember(token, alice);
    expect(tokens.get(`${token}x`)).toBeUndefined();
    expect(tokens.get(token.slice(0, -1))).toBeUndefined();
  });

  it('stays bounded: the oldest entry goes first', () => {
    const tokens = new VerifiedTokens();
    const first = tokenWithExp(Date.now() / 1000 + 600);
    tokens.remember(first, alice);
    for (let i = 0; i < 10_000; i++) tokens.remember(`${tokenWithExp(Date.now() / 1000 + 600)}${i}`, alice);
    expect(tokens.size).toBe(10_000);
    expect(tokens.get(first)).toBeUndefined();
  });
});
