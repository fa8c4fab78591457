import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '@holdfast/errors';

/** Apollo's own codes for a request it cannot run: the client sent something wrong. */
const CLIENT_ERRORS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);
const OURS = new Set<string>(ERROR_CODES);

/**
 * Apollo's `formatError`: every error leaves with one of our codes (DESIGN.md section 6)
 * in `extensions.code`, and only the extensions we put there (code, status, details,
 * requestId, and which limit a query broke): never a stack trace or an exception's
 * own text for an unexpected error.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = (formatted.extensions ?? {}) as Record<string, unknown>;
  const given = String(extensions.code ?? '');
  const code: ErrorCode = OURS.has(given)
    ? (given as ErrorCode)
    : CLIENT_ERRORS.has(given) || extensions.limit !== undefined
      ? 'VALIDATION_FAILED'
      : 'INTERNAL_ERROR';
  const kept: Record<string, unknown> = { code, status: ERROR_STATUS[code] };
  for (const key of ['details', 'requestId', 'limit', 'retryAfterSeconds']) {
    if (extensions[key] !== undefined) kept[key] = extensions[key];
  }
  return {
    message: code === 'INTERNAL_ERROR' ? 'An unexpected error occurred' : formatted.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: kept,
  };
}
