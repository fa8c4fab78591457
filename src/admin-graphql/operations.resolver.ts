import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuditService } from '@holdfast/audit';
import { JobsService } from '@holdfast/jobs';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { SupportService } from '../support/support.service';
import type { SupportCase, SupportCaseStatus } from '../support/support.types';
import {
  AuditFilter,
  AuditPage,
  DeadJobModel,
  ResolveSupportCaseArgs,
  SupportCaseModel,
  SupportCasePage,
  SupportCaseStatusEnum,
} from './models/admin.model';
import { PageInput, pageInfo } from './models/common.model';

const supportCase = (c: SupportCase): SupportCaseModel => ({
  ...c,
  openedAt: c.openedAt.toISOString(),
  resolvedAt: c.resolvedAt?.toISOString() ?? null,
});

/** What needs a person: support cases, dead jobs, and the audit log of what admins did. */
@Roles('admin')
@Resolver()
export class OperationsResolver {
  constructor(
    private readonly support: SupportService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
  ) {}

  @Query(() => SupportCasePage, { description: 'Support cases, newest first; status OPEN is the to-do list' })
  async supportCases(
    @Args('status', { type: () => SupportCaseStatusEnum, nullable: true }) status: SupportCaseStatus | null,
    @Args('page', { type: () => PageInput, nullable: true }) page: PageInput | null,
  ): Promise<SupportCasePage> {
    const p = page ?? new PageInput();
    const { cases, total } = await this.support.list({ status: status ?? undefined, limit: p.limit, offset: p.offset });
    return { cases: cases.map(supportCase), page: pageInfo(total, p) };
  }

  @Mutation(() => SupportCaseModel, {
    description: 'Resolve an open support case (POST /v1/admin/support-cases/{id}/resolve). Audited.',
  })
  async resolveSupportCase(@Args() input: ResolveSupportCaseArgs, @CurrentUser() admin: AuthUser): Promise<SupportCaseModel> {
    return supportCase(await this.support.resolve(input.id, input.resolution, admin.sub));
  }

  @Query(() => [DeadJobModel], {
    description: 'Jobs whose last retry failed, newest first (GET /v1/admin/jobs?state=failed); replay them over REST',
  })
  async deadJobs(@Args('page', { type: () => PageInput, nullable: true }) page: PageInput | null): Promise<DeadJobModel[]> {
    const p = page ?? new PageInput();
    const jobs = await this.jobs.list({ state: 'failed', limit: p.limit, offset: p.offset });
    return jobs.map((j) => ({
      id: j.id,
      queue: j.queue,
      retryCount: j.retryCount,
      dataSummary: j.dataSummary,
      error: j.error,
      createdOn: j.createdOn.toISOString(),
      completedOn: j.completedOn?.toISOString() ?? null,
    }));
  }

  @Query(() => AuditPage, { description: 'The audit log, newest first; filters combine (GET /v1/admin/audit)' })
  async auditLog(
    @Args('filter', { type: () => AuditFilter, nullable: true }) filter: AuditFilter | null,
    @Args('page', { type: () => PageInput, nullable: true }) page: PageInput | null,
  ): Promise<AuditPage> {
    const p = page ?? new PageInput();
    const { entries, total } = await this.audit.list({
      recordType: filter?.recordType,
      recordId: filter?.recordId,
      actor: filter?.actor,
      from: filter?.from ? new Date(filter.from) : undefined,
      to: filter?.to ? new Date(filter.to) : undefined,
      limit: p.limit,
      offset: p.offset,
    });
    return { entries: entries.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })), page: pageInfo(total, p) };
  }
}
