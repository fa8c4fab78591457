import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { SupportCase, SupportCaseStatus } from './support.types';

const COLUMNS = `id, kind, reservation_id AS "reservationId", status, details, opened_at AS "openedAt",
                 resolved_at AS "resolvedAt", resolved_by AS "resolvedBy", resolution`;

/** The `support_cases` table, through `TransactionHost.rows` (on the caller's transaction when one is open). */
@Injectable()
export class SupportCasesRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(kind: string, reservationId: string | null, details: Record<string, unknown>): Promise<SupportCase> {
    const [row] = await this.txHost.rows<SupportCase>(
      `INSERT INTO support_cases (kind, reservation_id, details) VALUES ($1, $2, $3::jsonb) RETURNING ${COLUMNS}`,
      [kind, reservationId, JSON.stringify(details)],
    );
    return row;
  }

  /** The case, row-locked until the transaction ends; null when there is none. */
  async findForUpdate(id: string): Promise<SupportCase | null> {
    const [row] = await this.txHost.rows<SupportCase>(`SELECT ${COLUMNS} FROM support_cases WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** Resolves an open case; null when it is not open (the caller holds its lock, so it is not). */
  async resolve(id: string, resolvedBy: string, resolution: string): Promise<SupportCase | null> {
    const [row] = await this.txHost.rows<SupportCase>(
      `UPDATE support_cases SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = $3
        WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
      [id, resolvedBy, resolution],
    );
    return row ?? null;
  }

  async list(filter: {
    status?: SupportCaseStatus;
    kind?: string;
    limit: number;
    offset: number;
  }): Promise<{ cases: SupportCase[]; total: number }> {
    const params = [filter.status ?? null, filter.kind ?? null];
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)`;
    const cases = await this.txHost.rows<SupportCase>(
      `SELECT ${COLUMNS} FROM support_cases WHERE ${where} ORDER BY opened_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [...params, filter.limit, filter.offset],
    );
    const [{ total }] = await this.txHost.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM support_cases WHERE ${where}`,
      params,
    );
    return { cases, total };
  }
}
