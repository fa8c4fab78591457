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
 * the app's clock. Once that time is over, the next evaluation still answers from memory
 * at once and starts ONE read in the background; the values it reads serve the
 * evaluations after it. So a flag flipped through another replica, or in the database,
 * takes effect here within 5 s plus one read, with no restart; one flipped through this
 * process at once (`applied`). If a read fails, the last values go on being served
 * (logged, the table tried again each second). The app reads the table once at start-up
 * (`warm`, not awaited: start-up does not need the database); with nothing read yet, an
 * evaluation waits for a read made on its own transaction's connection when it has one,
 * and with that read failing answers the caller's default with a GENERAL error.
 *
 * Why evaluations do not wait for an expired cache: they run inside hold transactions,
 * each holding one of the pool's connections, and the read needs another. With every
 * connection held by a transaction waiting for that read, the read waited for a connection
 * until the pool's time-out, and every waiting hold failed with a 503 (issue 16's cart
 * phase: 40 of 1,362 carts, p99 5 s, one stall each time the 5 s were over).
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
    private readonly load: {
      /** On the caller's transaction when it has one (nothing cached yet: the caller waits for it). */
      inline: () => Promise<FeatureFlag[]>;
      /** On a pooled connection of its own (a background read nobody waits for). */
      aside: () => Promise<FeatureFlag[]>;
    },
    private readonly clock: Clock,
    private readonly logger: NestLogger,
  ) {}

  /**
   * A flag this process has just changed (after its transaction committed): served at
   * once, and a read that started before the change cannot bring the old value back.
   */
  applied(flag: Pick<FeatureFlag, 'key' | 'enabled' | 'variant'>): void {
    this.generation++;
    if (!this.snapshot) return; // nothing cached: the first read will see the change
    this.snapshot = new Map(this.snapshot).set(flag.key, { enabled: flag.enabled, variant: flag.variant });
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

  /**
   * The cached snapshot; once it is older than its time, also one read of the table in the
   * background (shared by concurrent callers). Only with nothing cached yet does the caller wait.
   */
  private async flags(): Promise<Snapshot> {
    if (this.snapshot && this.clock.nowMs() < this.expiresAt) return this.snapshot;
    // Nothing to answer from yet: read now, on the caller's own transaction if it is in
    // one (a pooled connection could be the one every waiting transaction holds).
    if (!this.snapshot) return (this.loading ??= this.refresh(this.load.inline).finally(() => (this.loading = null)));
    this.warm();
    return this.snapshot;
  }

  /** Starts a read of the table in the background, unless one is under way. */
  warm(): void {
    this.loading ??= this.refresh(this.load.aside).finally(() => (this.loading = null));
    this.loading.catch(() => undefined); // logged by refresh; the last values go on being served
  }

  private async refresh(load: () => Promise<FeatureFlag[]>): Promise<Snapshot> {
    const generation = this.generation;
    try {
      const rows = await load();
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
