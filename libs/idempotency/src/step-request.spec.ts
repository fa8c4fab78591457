import { describe, expect, it, jest } from '@jest/globals';
import type { IdempotentRequest } from './idempotency.service';
import { requestHash } from './request-hash';
import { stepRequest } from './step-request';

describe('stepRequest', () => {
  const setHeader = jest.fn();
  const status = jest.fn();
  const parent: IdempotentRequest = {
    scope: 'ada|POST /api/reservations',
    key: 'k-1',
    hash: requestHash({}, { offeringId: 'o', paymentMethodId: 'c' }),
    successStatus: 200,
    res: { setHeader, status },
  };

  it("keeps the parent's key under the parent's scope plus the step, with the step's own hash", () => {
    const step = stepRequest(parent, 'convert', { holdId: 'h', paymentMethodId: 'c' });
    expect(step).toMatchObject({
      scope: 'ada|POST /api/reservations#convert',
      key: 'k-1',
      hash: requestHash({}, { holdId: 'h', paymentMethodId: 'c' }),
      successStatus: 200,
    });
    expect(stepRequest(parent, 'hold', {}).scope).not.toBe(step.scope);
  });

  it("never marks the parent's response: a step's replay is silent", () => {
    const step = stepRequest(parent, 'hold', {});
    step.res.setHeader('Idempotent-Replayed', 'true');
    step.res.status(200);
    expect(setHeader).not.toHaveBeenCalled();
    expect(status).not.toHaveBeenCalled();
  });
});
