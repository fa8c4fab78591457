import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { mintDevToken } from './dev-token.service';

const SECRET = 'dev-token-spec-secret-0123456789';

describe('mintDevToken', () => {
  it('always sets exp, ttlSeconds after iat', () => {
    const claims = jwt.verify(mintDevToken(SECRET, { sub: 'alice' }, 60), SECRET) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('refuses to mint a token without a positive lifetime (it would never expire, or be born expired)', () => {
    for (const ttl of [0, -1, Number.NaN, 1.5]) {
      expect(() => mintDevToken(SECRET, { sub: 'alice' }, ttl)).toThrow('a dev token needs a positive lifetime');
    }
  });

  it('writes scopes as one space-delimited scope claim, and none when there are none', () => {
    const scoped = jwt.verify(mintDevToken(SECRET, { sub: 'm', scopes: ['a/b.read', 'c/d'] }, 60), SECRET) as jwt.JwtPayload;
    expect(scoped.scope).toBe('a/b.read c/d');
    const plain = jwt.verify(mintDevToken(SECRET, { sub: 'm', scopes: [] }, 60), SECRET) as jwt.JwtPayload;
    expect('scope' in plain).toBe(false);
  });
});
