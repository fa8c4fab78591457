import { createHash } from 'node:crypto';
/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value) {
    if (value === null || typeof value !== 'object')
        return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
    const entries = Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
export function requestHash(params, body) {
    return createHash('sha256').update(canonicalJson({ params, body })).digest('hex');
}
/** A 64-bit advisory lock id for a scope and key (collisions only cost a spurious 409). */
export function advisoryLockId(scope, key) {
    return createHash('sha256').update(`${scope}\u0000${key}`).digest().readBigInt64BE(0).toString();
}
//# sourceMappingURL=request-hash.js.map