import { createHash, hash } from 'node:crypto';

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) of the request's params and body as canonical JSON: one-shot `hash`, no Hash object per request. */
export function requestHash(params: unknown, body: unknown): string {
  return hash('sha256', canonicalJson({ params, body }), 'hex');
}

/** A 64-bit advisory lock id for a scope and key (collisions only cost a spurious 409). */
export function advisoryLockId(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\u0000${key}`).digest().readBigInt64BE(0).toString();
}
