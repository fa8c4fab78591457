import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { FeatureFlag } from './flags.types';

const COLUMNS = `key, enabled, variant, description, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

/** The `feature_flags` table. */
@Injectable()
export class FlagsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** Every flag, by key. */
  async all(): Promise<FeatureFlag[]> {
    return this.txHost.rows<FeatureFlag>(`SELECT ${COLUMNS} FROM feature_flags ORDER BY key`);
  }

  /** Every flag, by key, read on a pooled connection even inside a transaction (the provider's cache fill). */
  async allOutsideTransaction(): Promise<FeatureFlag[]> {
    return this.txHost.outside(() => this.all());
  }

  /** The flag, row-locked until the transaction ends; null for an unknown key. */
  async findForUpdate(key: string): Promise<FeatureFlag | null> {
    const [row] = await this.txHost.rows<FeatureFlag>(`SELECT ${COLUMNS} FROM feature_flags WHERE key = $1 FOR UPDATE`, [key]);
    return row ?? null;
  }

  async update(key: string, enabled: boolean, variant: string | null, updatedBy: string): Promise<FeatureFlag> {
    const [row] = await this.txHost.rows<FeatureFlag>(
      `UPDATE feature_flags SET enabled = $2, variant = $3, updated_by = $4, updated_at = now() WHERE key = $1 RETURNING ${COLUMNS}`,
      [key, enabled, variant, updatedBy],
    );
    return row;
  }
}
