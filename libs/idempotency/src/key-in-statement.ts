import type { SqlParams } from '@holdfast/database';
import { advisoryLockId } from './request-hash';

/** SQL that makes storing a request's key part of the handler's own single statement. */
export interface KeyInStatement {
  /** A CTE (`idem_lock`) taking the key's transaction-scoped advisory lock without waiting. */
  lockCte: string;
  /** A condition true only when that lock was taken: gate the effect's first write on it. */
  locked: string;
  /** A CTE (`idem_key`) storing the completed response once for each row of the gate CTE. */
  storeCte: string;
}

/** What `keyInStatement` needs of a request: whose key, the key, its request hash and success status. */
export interface StatementKey {
  scope: string;
  key: string;
  hash: string;
  successStatus: number;
}

/**
 * For a handler whose whole effect is ONE statement (`TransactionHost.statement`), on
 * the path that has to be fast: the key's lock and its completed response become part
 * of that statement, so a first use costs no round trip of its own. Gate the effect's
 * first write on `locked` and give `storeCte` that write's CTE as `from`; the stored key
 * expires at `expiresAt` (`IdempotencyService.expiry()`).
 *
 * Every other case makes the statement do nothing or fail, and the handler must then
 * run its ordinary path through `IdempotencyService.atomic`, which replays, refuses or
 * reports the key as in progress: the lock held by another request leaves the gate
 * closed (no rows); a key used before makes the insert fail with unique_violation
 * (23505), which rolls the whole statement back.
 *
 * Pure: the text depends only on the order of `p.add` calls, never on the values.
 */
export function keyInStatement(p: SqlParams, req: StatementKey, body: unknown, from: string, expiresAt: Date): KeyInStatement {
  return {
    lockCte: `idem_lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(${p.add(advisoryLockId(req.scope, req.key), 'bigint')}) AS ok)`,
    locked: '(SELECT ok FROM idem_lock)',
    storeCte: `idem_key AS (
      INSERT INTO idempotency_keys (scope, key, request_hash, state, response_status, response_body, expires_at)
      SELECT ${p.add(req.scope)}, ${p.add(req.key)}, ${p.add(req.hash)}, 'completed', ${p.add(req.successStatus, 'int')},
             ${p.add(JSON.stringify(body) ?? 'null', 'jsonb')}, ${p.add(expiresAt, 'timestamptz')}
        FROM ${from})`,
  };
}
