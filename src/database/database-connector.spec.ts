import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnreachable } from './database-connector';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable: outages start the app without its database, mistakes still fail start-up', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['host not found', withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND')],
    ['the server still starting', withCode('the database system is starting up', '57P03')],
    ['pg-pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout')],
    [
      'every address refused (AggregateError)',
      new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], ''),
    ],
  ])('unreachable: %s', (_what, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a wrong password', withCode('password authentication failed for user "holdfast"', '28P01')],
    ['a missing database', withCode('database "holdfast" does not exist', '3D000')],
    ['a failing migration', withCode('relation "offerings" already exists', '42P07')],
    ['anything else', new Error('boom')],
  ])('not unreachable: %s', (_what, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});
