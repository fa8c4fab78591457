import { expect } from '@jest/globals';
import type { Response } from 'supertest';

/** Whether the interceptor answered from the stored key instead of running the handler. */
export const replayed = (res: Response): boolean => res.headers['idempotent-replayed'] === 'true';

/**
 * Concurrent requests with one key: each is a 200 or a 409 IDEMPOTENCY_KEY_IN_PROGRESS,
 * at least one is a 200 and exactly one 200 ran the handler (the others replayed it).
 * Returns the 200s.
 */
export function expectOneRun(responses: Response[]): Response[] {
  const unexpected = responses.filter((res) => res.status !== 200 && res.status !== 409);
  expect(unexpected.map((res) => [res.status, res.body])).toEqual([]);
  for (const res of responses.filter((r) => r.status === 409)) {
    expect(res.body.error).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
  }
  const ok = responses.filter((res) => res.status === 200);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  expect(ok.filter((res) => !replayed(res))).toHaveLength(1);
  return ok;
}
