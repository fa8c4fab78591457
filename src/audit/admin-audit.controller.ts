import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from '@holdfast/audit';
import { ApiErrors } from '@holdfast/errors';
import { pageOf } from '@holdfast/pagination';
import { Roles } from '../auth/auth.decorators';
import { AuditListDto, ListAuditQueryDto } from './dto/audit.dto';

/** The audit log's read side (libs/audit writes it, in each change's transaction). Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Read the audit log',
    description:
      'Every admin change (offerings, time slots, stock, rental units, refunds, feature flags, support cases): who, ' +
      'when, which record, what was done, and the record before and after. Newest first; filters combine.',
  })
  @ApiOkResponse({ type: AuditListDto })
  @ApiErrors('VALIDATION_FAILED')
  async list(@Query() query: ListAuditQueryDto): Promise<AuditListDto> {
    const { entries, total } = await this.audit.list({
      recordType: query.recordType,
      recordId: query.recordId,
      actor: query.actor,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: query.limit,
      offset: query.offset,
    });
    return {
      entries: entries.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
      pagination: pageOf(total, query.limit, query.offset),
    };
  }
}
