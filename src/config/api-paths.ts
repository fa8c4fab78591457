/**
 * The path families the API serves. Everything is under the global prefix `/v1` but the
 * operational endpoints and seed 002's own paths: its mobile app calls `/api/...`
 * exactly as seed 002 names them (DESIGN.md section 12), so they are served without the
 * prefix, by the same services as their `/v1` counterparts.
 */
export const GLOBAL_PREFIX = 'v1';

/** Seed 002's paths: `/api/reservations`, `/api/rentals/{id}/unlock`, ... (not under /v1). */
export const SEED_002_PREFIX = 'api';

/** The Swagger tag of seed 002's paths. */
export const SEED_002_TAG = 'seed-002';

/**
 * Paths served without the global prefix, in path-to-regexp v8 syntax (a named wildcard
 * for a whole family): the probes, the Prometheus scrape, and seed 002's family.
 */
export const UNPREFIXED_PATHS = ['health/live', 'health/ready', 'metrics', `${SEED_002_PREFIX}/{*path}`, 'graphql'];

/** The admin GraphQL API's one endpoint (DESIGN.md section 14), outside /v1 as GraphQL clients expect it. */
export const GRAPHQL_PATH = '/graphql';

/** True for a request path of the API proper (rate-limited, documented as reading the database): /graphql too. */
export const isApiPath = (path: string): boolean =>
  path.startsWith(`/${GLOBAL_PREFIX}/`) ||
  path.startsWith(`/${SEED_002_PREFIX}/`) ||
  path === GRAPHQL_PATH ||
  path.startsWith(`${GRAPHQL_PATH}?`);
