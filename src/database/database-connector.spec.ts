import { describe, expect, it } from '@jest/globals';
import { EntityMetadataNotFoundError, QueryFailedError, TypeORMError } from 'typeorm';
import { DatabaseConnector, isDatabaseUnavailable, isDatabaseUnreachable } from './database-connector';

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

describe('isDatabaseUnavailable: what a request answers with 503 SERVICE_UNAVAILABLE instead of 500', () => {
  const queryFailed = (code: string) =>
    new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', code));

  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['the connection killed mid-query (pg_terminate_backend), through TypeORM', queryFailed('57P01')],
    ['the connection killed mid-query, from node-postgres itself', withCode('terminating connection', '57P01')],
    ['a connection failure (SQLSTATE 08006)', withCode('connection failure', '08006')],
    ['the socket cut', new Error('Connection terminated unexpectedly')],
    [
      'the connection killed while idle in a transaction, at its next query',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['no pool yet: TypeORM before the first connection', new TypeORMError('Driver not Connected')],
    ['no pool yet: TransactionHost.statement', new Error('The data source has no connection pool (not initialised?)')],
    ['the pool closed by shutdown', new Error('Cannot use a pool after calling end on the pool')],
    ['every connection busy past the pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('unavailable: %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed('23505')],
    ['a missing relation (a bug)', queryFailed('42P01')],
    ['a protocol violation (a bug)', withCode('protocol violation', '08P01')],
    ['a wrong password', withCode('password authentication failed for user "holdfast"', '28P01')],
    ['anything else', new Error('boom')],
    ['not an Error', 'ECONNREFUSED'],
  ])('a bug, still 500: %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('DatabaseConnector.isUnavailable', () => {
  it('before the first connection, counts any TypeORM error (no entity metadata yet) as unavailable, but not other bugs', () => {
    const connector = new DatabaseConnector(undefined as never, undefined as never);
    expect(connector.connected).toBe(false);
    expect(connector.isUnavailable(new EntityMetadataNotFoundError('OfferingEntity'))).toBe(true);
    expect(connector.isUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(connector.isUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
  });
});
