import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { advisoryLockId, canonicalJson, requestHash } from './request-hash';

describe('canonicalJson', () => {
  it('does not depend on the order of object keys', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 'x' })).toBe('{"a":2,"b":1,"c":"x"}');
    expect(canonicalJson({ c: 'x', a: 2, b: 1 })).toBe(canonicalJson({ b: 1, a: 2, c: 'x' }));
  });

  it('sorts keys at every depth, through arrays, and keeps array order', () => {
    const one = { z: [{ y: 1, x: [3, { q: true, p: null }] }, 'end'], a: { d: 'd', c: { f: 1, e: 2 } } };
    const two = { a: { c: { e: 2, f: 1 }, d: 'd' }, z: [{ x: [3, { p: null, q: true }], y: 1 }, 'end'] };
    expect(canonicalJson(one)).toBe('{"a":{"c":{"e":2,"f":1},"d":"d"},"z":[{"x":[3,{"p":null,"q":true}],"y":1},"end"]}');
    expect(canonicalJson(two)).toBe(canonicalJson(one));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined object members, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ n: { m: undefined } })).toBe('{"n":{}}');
  });

  it('renders undefined in arrays and at the top as null, as JSON.stringify does', () => {
    expect(canonicalJson([1, undefined])).toBe(JSON.stringify([1, undefined]));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('keeps scalars distinct and escapes strings and keys', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('1')).not.toBe(canonicalJson(1));
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson({ 'k"ey': 'va"l\n' })).toBe('{"k\\"ey":"va\\"l\\n"}');
    expect(JSON.parse(canonicalJson({ 'k"ey': 'va"l\n' }))).toEqual({ 'k"ey': 'va"l\n' });
  });
});

describe('requestHash', () => {
  it('is a sha256 hex digest of the canonical params and body', () => {
    const hash = requestHash({ id: '7' }, { label: 'x' });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const expected = createHash('sha256').update('{"body":{"label":"x"},"params":{"id":"7"}}').digest('hex');
    expect(hash).toBe(expected);
  });

  it('is the same for the same request with its keys in another order', () => {
    expect(requestHash({ b: '2', a: '1' }, { y: [1, { d: 1, c: 2 }], x: 'x' })).toBe(
      requestHash({ a: '1', b: '2' }, { x: 'x', y: [1, { c: 2, d: 1 }] }),
    );
  });

  it('tells params from body, and one param or body from another', () => {
    expect(requestHash({ id: 'a' }, {})).not.toBe(requestHash({}, { id: 'a' }));
    expect(requestHash({ id: 'a' }, { label: 'x' })).not.toBe(requestHash({ id: 'b' }, { label: 'x' }));
    expect(requestHash({}, { label: 'x' })).not.toBe(requestHash({}, { label: 'y' }));
    expect(requestHash({}, { label: 'x' })).not.toBe(requestHash({}, { label: 'x', extra: 1 }));
  });
});

describe('advisoryLockId', () => {
  const INT64_MIN = -(2n ** 63n);
  const INT64_MAX = 2n ** 63n - 1n;

  it('is stable for the same scope and key', () => {
    expect(advisoryLockId('alice|POST /v1/x', 'k-1')).toBe(advisoryLockId('alice|POST /v1/x', 'k-1'));
  });

  it('is the first 8 bytes of sha256(scope NUL key), read as a signed 64-bit decimal string', () => {
    const scope = 'alice|POST /v1/reservations/hold';
    const key = '0b6f4a2e-7d1c-4c51-9f3e-2a8b5d9c1e07';
    const prefix = createHash('sha256').update(`${scope}\u0000${key}`).digest('hex').slice(0, 16);
    expect(advisoryLockId(scope, key)).toBe(BigInt.asIntN(64, BigInt(`0x${prefix}`)).toString());
  });

  it('always fits a Postgres bigint, and uses the sign bit', () => {
    const ids = Array.from({ length: 200 }, (_, i) => advisoryLockId('bob|POST /v1/x', `key-${i}`));
    for (const id of ids) {
      expect(id).toMatch(/^-?[0-9]{1,19}$/);
      const value = BigInt(id);
      expect(value >= INT64_MIN && value <= INT64_MAX).toBe(true);
    }
    expect(ids.some((id) => id.startsWith('-'))).toBe(true);
    expect(ids.some((id) => !id.startsWith('-'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differs by scope and by key, and cannot be forged by moving the boundary between them', () => {
    expect(advisoryLockId('alice|POST /v1/x', 'k')).not.toBe(advisoryLockId('bob|POST /v1/x', 'k'));
    expect(advisoryLockId('alice|POST /v1/x', 'k1')).not.toBe(advisoryLockId('alice|POST /v1/x', 'k2'));
    expect(advisoryLockId('ab', 'c')).not.toBe(advisoryLockId('a', 'bc'));
  });
});
