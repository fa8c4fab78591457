import { Injectable } from '@nestjs/common';
import { AuditService } from '@holdfast/audit';
import { Transactional, TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { SupportCasesRepository } from './support-cases.repository';
import type { SupportCase, SupportCaseStatus } from './support.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A kind is a short machine word, so cases can be filtered by it. */
const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Support cases: failures that need a person (an IMS confirmation that never landed, a
 * fine that could not be charged, a return the vehicle disputes). Modules open them in
 * the transaction of the failure; admins list and resolve them.
 */
@Injectable()
export class SupportService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly repository: SupportCasesRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * Opens a case. Runs in the caller's transaction when one is open, so the case exists
   * if and only if the failure it reports was recorded (outside one, it commits by itself).
   * `details` is stored as jsonb: ids, amounts and error codes, never card data, secrets
   * or a guest's contact details.
   *
   * @throws Error for a kind that is not a short machine word or a reservation id that is
   * not a UUID: a programming error of the caller, not bad input from a request.
   */
  async open(kind: string, reservationId: string | null, details: Record<string, unknown> = {}): Promise<SupportCase> {
    if (!KIND.test(kind)) throw new Error(`A support case kind is a short lowercase word (got ${JSON.stringify(kind)})`);
    if (reservationId !== null && !UUID.test(reservationId)) throw new Error('A support case reservation id must be a UUID');
    return this.repository.insert(kind, reservationId, details);
  }

  /** Cases, newest first, with how many match in all. */
  async list(filter: {
    status?: SupportCaseStatus;
    kind?: string;
    limit: number;
    offset: number;
  }): Promise<{ cases: SupportCase[]; total: number }> {
    return this.repository.list(filter);
  }

  /**
   * Resolves an open case, recording who and how, audited (`support_case` / `resolve`,
   * before and after, by `actor`) in the same transaction. The row lock serialises two
   * admins resolving the same case: the second sees it resolved.
   *
   * @throws AppError NOT_FOUND (no such case), VALIDATION_FAILED (already resolved; its
   * details say by whom and when)
   */
  @Transactional()
  async resolve(id: string, resolution: string, actor: string): Promise<SupportCase> {
    const before = UUID.test(id) ? await this.repository.findForUpdate(id) : null;
    if (!before) throw new AppError('NOT_FOUND', 'Support case not found');
    if (before.status !== 'open') {
      throw new AppError('VALIDATION_FAILED', 'This support case is already resolved', [
        {
          field: 'id',
          message: `resolved by ${before.resolvedBy} at ${before.resolvedAt?.toISOString()}`,
        },
      ]);
    }
    const after = await this.repository.resolve(id, actor, resolution);
    if (!after) throw new Error('An open, locked support case could not be resolved');
    await this.audit.record({ actor, recordType: 'support_case', recordId: id, action: 'resolve', before, after });
    return after;
  }
}
