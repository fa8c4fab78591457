import {
  CustomerNotFoundError,
  CustomerServiceError,
  CustomerVerificationPort,
  type CustomerProfile,
} from './customer-verification.port';

/** The most of an answer we read: a profile is three fields. */
const MAX_BODY_BYTES = 16 * 1024;
/** A KYC status as the service may name it: a short word (`approved`, `pending`, `manual_review`). */
const KYC_STATUS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** The credit score scale we accept (FICO 300-850, UK agencies 0-999 or 0-1000). */
const MAX_CREDIT_SCORE = 1000;

/**
 * Seed 002's Customer Management Service over HTTP (contract in docs/customers.md):
 *
 *     GET {CUSTOMER_SERVICE_URL}/customers/{customerId}
 *     X-Api-Key: {CUSTOMER_SERVICE_API_KEY}
 *     200 {"kycStatus": "approved", "drivingLicenseValid": true, "creditScore": 712}
 *
 * The answer is checked strictly: a JSON object whose `kycStatus` is a short word,
 * `drivingLicenseValid` a boolean (not `"true"`), `creditScore` an integer from 0 to 1000,
 * and whose `customerId`, when it has one, is the one asked about. Anything else is a
 * `malformed_response`: the service failing, never a customer failing a check. A 404 is
 * CustomerNotFoundError; other statuses, network errors and oversized bodies are
 * CustomerServiceError (5xx and network errors retryable: the call is a GET).
 * Timeouts are the caller's (`signal`, the integration policy's).
 */
export class HttpCustomerVerificationAdapter extends CustomerVerificationPort {
  readonly name = 'http' as const;
  private readonly base: URL | null;

  constructor(
    baseUrl: string | null,
    private readonly apiKey: string | null,
  ) {
    super();
    this.base = baseUrl === null ? null : new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  async verify(customerId: string, signal?: AbortSignal): Promise<CustomerProfile> {
    if (this.base === null || this.apiKey === null) {
      throw new CustomerServiceError(
        'misconfigured',
        'the Customer Management Service is not configured (CUSTOMER_SERVICE_URL, CUSTOMER_SERVICE_API_KEY)',
        false,
      );
    }
    // `.` and `..` would be resolved away as path segments (encodeURIComponent leaves dots alone).
    if (customerId === '' || customerId === '.' || customerId === '..') {
      throw new CustomerServiceError('bad_request', 'the customer id cannot be put in a URL path', false);
    }
    const url = new URL(`customers/${encodeURIComponent(customerId)}`, this.base);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'X-Api-Key': this.apiKey, Accept: 'application/json' },
        redirect: 'error', // a redirect would carry the key elsewhere
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error; // the policy's timeout
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new CustomerServiceError(
        'unreachable',
        `the Customer Management Service is unreachable${code ? ` (${code})` : ''}`,
        true,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw this.statusError(response.status);
    }
    let text: string;
    try {
      text = await readLimited(response, MAX_BODY_BYTES);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof CustomerServiceError) throw error;
      throw new CustomerServiceError('unreachable', 'the Customer Management Service broke off its answer', true);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CustomerServiceError('malformed_response', 'the Customer Management Service answered malformed JSON', false);
    }
    return profileOf(body, customerId);
  }

  private statusError(status: number): Error {
    if (status === 404) return new CustomerNotFoundError();
    const message = `the Customer Management Service answered HTTP ${status}`;
    if (status >= 500) return new CustomerServiceError('server_error', message, true);
    if (status === 429) return new CustomerServiceError('rate_limited', message, false);
    if (status === 401 || status === 403) return new CustomerServiceError('unauthorized', `${message} (API key refused)`, false);
    if (status === 408) return new CustomerServiceError('timeout', message, true);
    if (status >= 400) return new CustomerServiceError('bad_request', message, false);
    // 1xx/2xx other than 200, 3xx (redirects are refused above): not the contract.
    return new CustomerServiceError('malformed_response', message, false);
  }
}

/** The checked profile of a parsed answer, or a `malformed_response` error naming what is wrong (never the values). */
export function profileOf(body: unknown, customerId: string): CustomerProfile {
  const malformed = (what: string) =>
    new CustomerServiceError('malformed_response', `the Customer Management Service answered ${what}`, false);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('something other than a JSON object');
  const { kycStatus, drivingLicenseValid, creditScore, customerId: answeredFor } = body as Record<string, unknown>;
  if (answeredFor !== undefined && answeredFor !== customerId) throw malformed('the profile of another customer');
  if (typeof kycStatus !== 'string' || !KYC_STATUS.test(kycStatus)) throw malformed('no valid kycStatus');
  if (typeof drivingLicenseValid !== 'boolean') throw malformed('no boolean drivingLicenseValid');
  if (typeof creditScore !== 'number' || !Number.isInteger(creditScore) || creditScore < 0 || creditScore > MAX_CREDIT_SCORE) {
    throw malformed(`no creditScore that is an integer from 0 to ${MAX_CREDIT_SCORE}`);
  }
  return { kycStatus, drivingLicenseValid, creditScore };
}

/** The body as text, refusing one over `limit` bytes (declared or streamed). */
async function readLimited(response: Response, limit: number): Promise<string> {
  const tooLarge = () =>
    new CustomerServiceError('malformed_response', `the Customer Management Service answered more than ${limit} bytes`, false);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
