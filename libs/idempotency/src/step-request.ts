import type { IdempotentRequest, ReplayTarget } from './idempotency.service';
import { requestHash } from './request-hash';

/** Swallows a step's replay status and header: the parent request is not the one replaying. */
const SILENT: ReplayTarget = { setHeader: () => undefined, status: () => undefined };

/**
 * The idempotency of one step of a keyed request that runs other keyed operations in
 * turn (seed 002's `POST /api/reservations`: a hold, then its convert). The step keeps
 * its own row: the parent's key, under the parent's scope plus `#step` (no route has a
 * `#`, so it cannot meet a real route's key), with the step's own request hash. A retry
 * of the parent after a crash or a lost answer then replays every step that completed
 * instead of doing it again, and resumes at the first one that did not. A step's replay
 * leaves the parent's response alone: no `Idempotent-Replayed` header on an answer the
 * parent is giving for the first time.
 */
export function stepRequest(parent: IdempotentRequest, step: string, body: unknown): IdempotentRequest {
  return {
    scope: `${parent.scope}#${step}`,
    key: parent.key,
    hash: requestHash({}, body),
    successStatus: parent.successStatus,
    res: SILENT,
  };
}
