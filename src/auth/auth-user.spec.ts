import { describe, expect, it } from '@jest/globals';
import { userFromClaims } from './auth-user';

describe('userFromClaims', () => {
  it('reads the user id from sub and gives no roles when the token carries none', () => {
    expect(userFromClaims({ sub: 'alice' })).toEqual({ sub: 'alice', roles: [] });
  });

  it('takes roles from the roles claim of a dev token', () => {
    expect(userFromClaims({ sub: 'alice', roles: ['admin', 'support'] })?.roles).toEqual(['admin', 'support']);
  });

  it('takes roles from the cognito:groups claim of a Cognito token', () => {
    expect(userFromClaims({ sub: 'alice', 'cognito:groups': ['admin'] })?.roles).toEqual(['admin']);
  });

  it('merges both claims and lists each role once', () => {
    const user = userFromClaims({ sub: 'alice', roles: ['admin', 'support', 'admin'], 'cognito:groups': ['support', 'ops'] });
    expect(user?.roles).toEqual(['admin', 'support', 'ops']);
  });

  it('accepts a single role given as a string', () => {
    expect(userFromClaims({ sub: 'alice', 'cognito:groups': 'admin' })?.roles).toEqual(['admin']);
  });

  it('ignores role entries that are not strings, and role claims of other types', () => {
    expect(userFromClaims({ sub: 'alice', roles: ['admin', 1, null, { name: 'x' }], 'cognito:groups': 7 })?.roles).toEqual([
      'admin',
    ]);
    expect(userFromClaims({ sub: 'alice', roles: '', 'cognito:groups': { admin: true } })?.roles).toEqual([]);
  });

  it.each([
    ['missing', {}],
    ['empty', { sub: '' }],
    ['a number', { sub: 42 }],
    ['null', { sub: null }],
  ])('describes no user when sub is %s, whatever else the token says', (_label, claims) => {
    expect(userFromClaims({ ...claims, email: 'a@example.com', roles: ['admin'], 'cognito:groups': ['admin'] })).toBeNull();
  });

  it('keeps email when it is a string', () => {
    expect(userFromClaims({ sub: 'alice', email: 'alice@example.com' })).toEqual({
      sub: 'alice',
      email: 'alice@example.com',
      roles: [],
    });
  });

  it.each([
    ['a number', 42],
    ['a list', ['alice@example.com']],
    ['an object', { address: 'alice@example.com' }],
    ['a boolean', true],
  ])('drops email when it is %s', (_label, email) => {
    const user = userFromClaims({ sub: 'alice', email });
    expect(user).not.toBeNull();
    expect(user?.email).toBeUndefined();
  });
});
