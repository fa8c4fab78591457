import type { Logger as NestLogger } from '@nestjs/common';
import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import type { Clock } from '@holdfast/clock';
import type { FeatureFlag } from './flags.types';

/** How long a process serves flags from memory before reading the table again. */
export const FLAG_CACHE_TTL_MS = 5_000;

/** After a failed read, how long the last values are served before the table is read again. */
const FLAG_RETRY_AFTER_MS = 1_000;

type Snapshot = Map<string, Pick<FeatureFlag, 'enabled' | 'variant'>>;

/**
 * An OpenFeature provider over the `feature_flags` table. The whole table (a handful of
 * rows) is read at once and served from memory for {@link FLAG_CACHE_TTL_MS}, measured on
 * the app's clock: a flag flipped through another replica, or in the database, takes
 * effect here within 5 s, with no restart; one flipped through this process at once
 * (`invalidate`). Concurrent evaluations of an expired cache share one read. If a read
 * fails, the last values go on being served (logged, the table tried again each second); with none ever
 * read, evaluations answer the caller's default with a GENERAL error.
 *
 * Boolean evaluation answers `enabled`; string evaluation answers the `variant` of an
 * enabled flag that has one, else the default. Number and object flags are not kept.
 */
export class PostgresFlagProvider implements Provider {
  readonly metadata = { name: 'holdfast-postgres' } as const;
  readonly runsOn = 'server' as const;

  private snapshot: Snapshot | null = null;
  private expiresAt = 0;
  private loading: Promise<Snapshot> | null = null;
  /** Bumped by `invalidate`, so a read that raced a change cannot cache what it read before. */
  private generation = 0;

  constructor(
    private readonly load: () => Promise<FeatureFlag[]>,
    private readonly clock: Clock,
    private readonly logger: NestLogger,
  ) {}

  /** Drops the cache: the next evaluation reads the table. */
  invalidate(): void {
    this.generation++;
    this.expiresAt = 0;
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, (flag) => ({
      value: flag.enabled,
      variant: flag.variant ?? (flag.enabled ? 'on' : 'off'),
    }));
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, (flag) =>
      flag.enabled && flag.variant !== null ? { value: flag.variant, variant: flag.variant } : { value: defaultValue },
    );
  }

  async resolveNumberEvaluation(_flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH };
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    _flagKey: string,
    defaultValue: T,
    _context?: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH };
  }

  private async resolve<T>(
    flagKey: string,
    defaultValue: T,
    read: (flag: Pick<FeatureFlag, 'enabled' | 'variant'>) => { value: T; variant?: string },
  ): Promise<ResolutionDetails<T>> {
    let fresh = true;
    let flags: Snapshot;
    try {
      flags = await this.flags();
    } catch (error) {
      if (!this.snapshot) {
        return {
          value: defaultValue,
          reason: StandardResolutionReasons.ERROR,
          errorCode: ErrorCode.GENERAL,
          errorMessage: String(error),
        };
      }
      flags = this.snapshot;
      fresh = false;
    }
    const flag = flags.get(flagKey);
    if (!flag) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `No flag ${flagKey}`,
      };
    }
    return { ...read(flag), reason: fresh ? StandardResolutionReasons.CACHED : StandardResolutionReasons.STALE };
  }

  /** The cached snapshot while it is fresh, else one read of the table (shared by concurrent callers). */
  private async flags(): Promise<Snapshot> {
    if (this.snapshot && this.clock.nowMs() < this.expiresAt) return this.snapshot;
    this.loading ??= this.refresh().finally(() => (this.loading = null));
    return this.loading;
  }

  private async refresh(): Promise<Snapshot> {
    const generation = this.generation;
    try {
      const rows = await this.load();
      const snapshot: Snapshot = new Map(rows.map((r) => [r.key, { enabled: r.enabled, variant: r.variant }]));
      if (generation === this.generation) {
        this.snapshot = snapshot;
        this.expiresAt = this.clock.nowMs() + FLAG_CACHE_TTL_MS;
      }
      return snapshot;
    } catch (error) {
      // Keep serving what we had; read the table again in a second, not on every evaluation.
      if (this.snapshot && generation === this.generation) this.expiresAt = this.clock.nowMs() + FLAG_RETRY_AFTER_MS;
      this.logger.warn({ err: error }, 'Could not read the feature flags; serving the last values read');
      throw error;
    }
  }
}
