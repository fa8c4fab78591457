import { describe, expect, it } from '@jest/globals';
import { validateEnv } from '../config/env.schema';
import { corsOrigins, trustProxy } from './http-protection';

function problem(raw: Record<string, string>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('protection settings', () => {
  it('defaults to 600 requests and 60 holds a minute, CORS off, and only loopback proxies trusted', () => {
    expect(validateEnv({})).toMatchObject({
      RATE_LIMIT_PER_MINUTE: 600,
      RATE_LIMIT_HOLD_PER_MINUTE: 60,
      CORS_ORIGINS: '',
      TRUST_PROXY: 'loopback',
    });
  });

  it('accepts 0 as "no limit" and refuses negative or fractional limits', () => {
    expect(validateEnv({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_HOLD_PER_MINUTE: '0' })).toMatchObject({
      RATE_LIMIT_PER_MINUTE: 0,
      RATE_LIMIT_HOLD_PER_MINUTE: 0,
    });
    const message = problem({ RATE_LIMIT_PER_MINUTE: '-1', RATE_LIMIT_HOLD_PER_MINUTE: '1.5' });
    expect(message).toContain('RATE_LIMIT_PER_MINUTE="-1"');
    expect(message).toContain('RATE_LIMIT_HOLD_PER_MINUTE="1.5"');
  });

  it('reads CORS_ORIGINS as exact origins and refuses what would never match a browser Origin', () => {
    const env = validateEnv({ CORS_ORIGINS: ' https://app.example.com ,http://localhost:5173' });
    expect(corsOrigins(env.CORS_ORIGINS)).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(corsOrigins('')).toEqual([]);
    for (const bad of ['https://app.example.com/', 'app.example.com', '*', 'https://a.example.com/path']) {
      expect(problem({ CORS_ORIGINS: bad })).toContain('CORS_ORIGINS must be comma-separated origins');
    }
  });

  it('turns TRUST_PROXY into Express’s trust proxy setting', () => {
    expect(trustProxy('loopback')).toBe('loopback');
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    expect(validateEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(problem({ TRUST_PROXY: 'any proxy at all' })).toContain('TRUST_PROXY must be');
  });
});
