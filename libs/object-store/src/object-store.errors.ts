/** Why a store operation failed, for callers that map it (to a 503, a retry, an alert). */
export type ObjectStoreFailure =
  /** The store did not answer in time. */
  | 'timeout'
  /** The store could not be reached (connection refused or reset, DNS). */
  | 'unreachable'
  /** Refused without trying: the store failed repeatedly and its circuit breaker is open. */
  | 'breaker_open'
  /** The store refused our credentials or the request (bad key id, signature, bucket policy). */
  | 'refused'
  /** The store accepted the object without confirming server-side encryption; it was deleted again. */
  | 'not_encrypted'
  /** Anything else: a 5xx, a local disk error (full, permissions). */
  | 'error';

/**
 * The store failed (not the caller: an invalid key, a body over its limit and an error of
 * the body stream itself keep their own errors). `cause` is the underlying error; the
 * message names the operation, the key and what the store said, never a credential.
 */
export class ObjectStoreError extends Error {
  constructor(
    readonly operation: 'put' | 'get' | 'delete',
    readonly key: string,
    readonly failure: ObjectStoreFailure,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Object store ${operation} of ${key} failed (${failure}): ${detail}`, options);
    this.name = 'ObjectStoreError';
  }
}
