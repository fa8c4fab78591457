import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './test-app';

/**
 * A dev-mode bearer token shaped like a Cognito access token, with the `custom:customerId`
 * claim an identity provider sets for customers known to the Customer Management Service
 * (`mintDevToken` has no such claim: dev tokens stand for users without one). It lasts
 * three days, so it is still valid after a test moves the app's clock a day ahead.
 */
export function customerToken(sub: string, customerId?: unknown): string {
  const claims: Record<string, unknown> = { sub, token_use: 'access', 'cognito:groups': [] };
  if (customerId !== undefined) claims['custom:customerId'] = customerId;
  return jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 3 * 86_400 });
}
