import { describe, expect, it } from '@jest/globals';
import { MAX_CUSTOMER_ID_LENGTH, MAX_SCOPE_LENGTH, MAX_SCOPES, userFromClaims } from './auth-user';

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

  it('reads customerId from the custom:customerId claim, keeping sub as the user id', () => {
    expect(userFromClaims({ sub: 'alice', 'custom:customerId': 'CUST-0042', email: 'alice@example.com' })).toEqual({
      sub: 'alice',
      customerId: 'CUST-0042',
      email: 'alice@example.com',
      roles: [],
    });
  });

  it('leaves customerId out when the identity provider sets no custom:customerId', () => {
    const user = userFromClaims({ sub: 'alice' });
    expect(user).not.toBeNull();
    expect(Object.keys(user!)).not.toContain('customerId');
  });

  it('takes a customerId of the longest allowed length, exactly as given', () => {
    const id = 'c'.repeat(MAX_CUSTOMER_ID_LENGTH);
    expect(userFromClaims({ sub: 'alice', 'custom:customerId': id })?.customerId).toBe(id);
    expect(userFromClaims({ sub: 'alice', 'custom:customerId': ' spaced id ' })?.customerId).toBe(' spaced id ');
  });

  it.each([
    ['empty', ''],
    ['holding a NUL', 'CUST\u00000042'],
    ['too long', 'c'.repeat(MAX_CUSTOMER_ID_LENGTH + 1)],
    ['a number', 42],
    ['a list', ['CUST-0042']],
    ['an object', { id: 'CUST-0042' }],
    ['null', null],
    ['a boolean', true],
  ])('ignores a custom:customerId %s: the user is still signed in, without a customerId', (_label, customerId) => {
    const user = userFromClaims({ sub: 'alice', roles: ['admin'], 'custom:customerId': customerId });
    expect(user).toEqual({ sub: 'alice', roles: ['admin'] });
    expect(user && 'customerId' in user).toBe(false);
  });

  it('never takes customerId in place of a missing or unusable sub', () => {
    expect(userFromClaims({ 'custom:customerId': 'CUST-0042' })).toBeNull();
    expect(userFromClaims({ sub: 'a\u0000b', 'custom:customerId': 'CUST-0042' })).toBeNull();
  });

  it("reads a Cognito machine client's access token: sub is the client id, scopes from the space-delimited scope", () => {
    const user = userFromClaims({
      sub: '4tq1abcclient',
      token_use: 'access',
      client_id: '4tq1abcclient',
      scope: 'holdfast/analytics.read holdfast/other.write',
    });
    expect(user).toEqual({
      sub: '4tq1abcclient',
      roles: [],
      email: undefined,
      scopes: ['holdfast/analytics.read', 'holdfast/other.write'],
    });
  });

  it('takes scopes as an array too, and leaves the property out when there are none', () => {
    expect(userFromClaims({ sub: 'm', scope: ['holdfast/analytics.read', 7, null] })?.scopes).toEqual([
      'holdfast/analytics.read',
    ]);
    expect(userFromClaims({ sub: 'alice', scope: '' })).toEqual({ sub: 'alice', roles: [] });
    expect(userFromClaims({ sub: 'alice', scope: { a: 1 } })).toEqual({ sub: 'alice', roles: [] });
  });

  it('drops junk scopes (NUL and control characters, empty, too long) and bounds how many are read', () => {
    const long = 'x'.repeat(MAX_SCOPE_LENGTH + 1);
    const user = userFromClaims({ sub: 'm', scope: `holdfast/analytics.read\u0000 a\u0000b  c\td ${long} ok` });
    expect(user?.scopes).toEqual(['ok']);
    const many = Array.from({ length: MAX_SCOPES + 10 }, (_, i) => `s${i}`).join(' ');
    expect(userFromClaims({ sub: 'm', scope: many })?.scopes).toHaveLength(MAX_SCOPES);
  });
});
