import type { BreakerState, IntegrationOutcome } from '@holdfast/resilience';

/** How far back the admin view's success and fallback rates look. */
export const INTEGRATION_WINDOW_SECONDS = 15 * 60;

/** An integration as it registers (`IntegrationsService.register`). */
export interface IntegrationSpec {
  /** The `integration` label of its metrics: a short machine word (`tax`, `ims`, `carrier_fastship`). */
  name: string;
  /** What it is for (`tax`, `inventory`, `shipping`, `payments`): groups integrations in the admin view. */
  kind: string;
  /** Requests the provider allows a day (UTC), if it has a quota: `integration_quota_used_ratio`. */
  dailyQuota?: number;
}

/** One integration's state as this replica sees it (`GET /v1/admin/integrations`). */
export interface IntegrationState {
  name: string;
  kind: string;
  breakerState: BreakerState;
  /** The last failed call's error message (never a request or response body), and when. */
  lastError: { message: string; at: Date } | null;
  /** The last {@link INTEGRATION_WINDOW_SECONDS} seconds. */
  window: {
    seconds: number;
    calls: number;
    outcomes: Record<IntegrationOutcome, number>;
    /** successes / calls; null without calls. */
    successRate: number | null;
    /** Answers served from a fallback (a table, a stale cache) instead of the provider. */
    fallbacks: number;
    /** fallbacks / calls; null without calls. */
    fallbackRate: number | null;
  };
  /** Today's (UTC) requests sent against the daily quota; null without a quota. */
  quota: { limit: number; used: number; ratio: number } | null;
}
