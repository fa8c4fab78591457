import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';

/** One change, as the code that made it describes it. */
export interface AuditEntry {
  /** Who: the acting admin's user id (the token's `sub`), or `system:<what>` for the app itself. */
  actor: string;
  /** What kind of record changed, e.g. `offering`, `time_slot`, `feature_flag`. */
  recordType: string;
  /** Which one: its id (or key) as text. */
  recordId: string;
  /** What was done, e.g. `create`, `update`, `resolve`. */
  action: string;
  /** The record before the change (absent for a creation); stored as jsonb. */
  before?: unknown;
  /** The record after the change (absent for a deletion); stored as jsonb. */
  after?: unknown;
}

/** An entry as stored, with when it was written. */
export interface AuditRecord {
  id: string;
  occurredAt: Date;
  actor: string;
  recordType: string;
  recordId: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  recordType?: string;
  recordId?: string;
  actor?: string;
  /** Entries at or after this time. */
  from?: Date;
  /** Entries before this time. */
  to?: Date;
  limit: number;
  offset: number;
}

const COLUMNS = `id, occurred_at AS "occurredAt", actor, record_type AS "recordType", record_id AS "recordId", action, before, after`;

/**
 * The audit log: who did what to which record, when, with the record before and after.
 * Knows no domain: callers name their records and say what changed.
 */
@Injectable()
export class AuditService {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Writes one entry in the open transaction, so it commits if and only if the change it
   * describes does. `occurred_at` is the database's `now()`: the transaction's start, as
   * for the records' own `updated_at`.
   *
   * @throws Error outside a transaction: an entry written on its own could describe a
   * change that then rolled back (or miss one that committed).
   */
  async record(entry: AuditEntry): Promise<void> {
    if (!this.txHost.inTransaction) {
      throw new Error('AuditService.record() must run inside the transaction of the change it records');
    }
    await this.txHost.rows(
      `INSERT INTO audit_log (actor, record_type, record_id, action, before, after) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING 1`,
      [entry.actor, entry.recordType, entry.recordId, entry.action, toJson(entry.before), toJson(entry.after)],
    );
  }

  /** Entries matching every given filter, newest first, and how many match in all. */
  async list(filter: AuditFilter): Promise<{ entries: AuditRecord[]; total: number }> {
    const params = [
      filter.recordType ?? null,
      filter.recordId ?? null,
      filter.actor ?? null,
      filter.from ?? null,
      filter.to ?? null,
    ];
    const where = `($1::text IS NULL OR record_type = $1) AND ($2::text IS NULL OR record_id = $2)
               AND ($3::text IS NULL OR actor = $3)
               AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5)`;
    const entries = await this.txHost.rows<AuditRecord>(
      `SELECT ${COLUMNS} FROM audit_log WHERE ${where} ORDER BY occurred_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params, filter.limit, filter.offset],
    );
    const [{ total }] = await this.txHost.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM audit_log WHERE ${where}`,
      params,
    );
    return { entries, total };
  }
}

/** jsonb text for a value; undefined and null are stored as SQL NULL (no record on that side). */
function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
