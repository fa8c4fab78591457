import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Client, NOOP_PROVIDER, OpenFeature } from '@openfeature/server-sdk';
import { AuditService } from '@holdfast/audit';
import { Clock } from '@holdfast/clock';
import { Transactional, TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { FlagsRepository } from './flags.repository';
import { FlagsConfig } from './flags.config';
import { type FeatureFlag, SIMULATED_VARIANTS } from './flags.types';
import { PostgresFlagProvider } from './postgres-flag.provider';

/**
 * Feature flags through OpenFeature, backed by the `feature_flags` table (see
 * PostgresFlagProvider: a 5 s cache per process). Other modules ask `isEnabled(key)`;
 * admins list and flip flags.
 *
 * OpenFeature's API is a process-wide singleton: each app instance registers its provider
 * under a domain of its own, so two instances in one process (tests run replicas side by
 * side) never read each other's database or cache.
 */
@Injectable()
export class FlagsService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FlagsService.name);
  private readonly domain = `holdfast-flags-${randomUUID()}`;
  private readonly provider: PostgresFlagProvider;
  private readonly client: Client;

  constructor(
    readonly txHost: TransactionHost,
    private readonly repository: FlagsRepository,
    private readonly audit: AuditService,
    clock: Clock,
    private readonly config: FlagsConfig,
  ) {
    this.provider = new PostgresFlagProvider(
      { inline: () => this.repository.all(), aside: () => this.repository.allOutsideTransaction() },
      clock,
      this.logger,
    );
    this.client = OpenFeature.getClient(this.domain);
  }

  async onModuleInit(): Promise<void> {
    // No initialize(): the provider reads the table on first use, so start-up does not
    // need the database (the app starts without it and connects later).
    await OpenFeature.setProviderAndWait(this.domain, this.provider);
  }

  /** Reads the flags once in the background, so the first evaluations answer from memory. */
  onApplicationBootstrap(): void {
    this.provider.warm();
  }

  async onModuleDestroy(): Promise<void> {
    await OpenFeature.setProviderAndWait(this.domain, NOOP_PROVIDER);
  }

  /**
   * Whether the flag is on, as of at most 5 s ago plus one read (this process's own flips
   * at once). `fallback` when the flag does not exist, or the table has never been readable.
   * Answered from memory; never waits for a pooled connection (see PostgresFlagProvider).
   */
  async isEnabled(key: string, fallback = false): Promise<boolean> {
    return this.client.getBooleanValue(key, fallback);
  }

  /** The variant of an enabled flag, or null (off, no variant, unknown). Same cache as `isEnabled`. */
  async variant(key: string): Promise<string | null> {
    const value = await this.client.getStringValue(key, '');
    return value === '' ? null : value;
  }

  /** Every flag as stored now (no cache). */
  async list(): Promise<FeatureFlag[]> {
    return this.repository.all();
  }

  /**
   * Sets a flag, audited (`feature_flag` / `update`, before and after, by `actor`) in the
   * same transaction. This process sees the change at once; other replicas within 5 s.
   * `variant` undefined keeps the current variant; null clears it.
   *
   * @throws AppError NOT_FOUND for an unknown key (flags are created by migrations only);
   *   VALIDATION_FAILED for a variant that selects a simulated integration in production
   */
  @Transactional()
  async set(key: string, change: { enabled: boolean; variant?: string | null }, actor: string): Promise<FeatureFlag> {
    const before = await this.repository.findForUpdate(key);
    if (!before) throw new AppError('NOT_FOUND', `There is no feature flag ${key}`);
    const variant = change.variant === undefined ? before.variant : change.variant;
    if (this.config.production && variant !== null && SIMULATED_VARIANTS[key]?.includes(variant)) {
      throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
        { field: 'variant', message: `${key}=${variant} selects a simulated integration: refused with NODE_ENV=production` },
      ]);
    }
    const after = await this.repository.update(key, change.enabled, variant, actor);
    await this.audit.record({ actor, recordType: 'feature_flag', recordId: key, action: 'update', before, after });
    this.txHost.afterCommit(() => this.provider.applied(after));
    return after;
  }
}
