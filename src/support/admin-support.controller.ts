import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import { pageOf } from '@holdfast/pagination';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { ListSupportCasesQueryDto, ResolveSupportCaseDto, SupportCaseDto, SupportCaseListDto } from './dto/support-case.dto';
import { SupportService } from './support.service';
import type { SupportCase } from './support.types';

const toDto = (c: SupportCase): SupportCaseDto => ({
  ...c,
  openedAt: c.openedAt.toISOString(),
  resolvedAt: c.resolvedAt?.toISOString() ?? null,
});

/** Support cases: failures that need a person. Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/support-cases')
export class AdminSupportController {
  constructor(private readonly support: SupportService) {}

  @Get()
  @ApiOperation({
    summary: 'List support cases',
    description: 'Failures that need a person, newest first; `status=open` is the to-do list.',
  })
  @ApiOkResponse({ type: SupportCaseListDto })
  @ApiErrors('VALIDATION_FAILED')
  async list(@Query() query: ListSupportCasesQueryDto): Promise<SupportCaseListDto> {
    const { cases, total } = await this.support.list(query);
    return {
      cases: cases.map(toDto),
      pagination: pageOf(total, query.limit, query.offset),
    };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Resolve a support case',
    description:
      'Records what was done, by whom and when, and writes it to the audit log in the same transaction. A case is ' +
      'resolved once: resolving it again is refused with 400 VALIDATION_FAILED, its details saying by whom and when ' +
      '(DESIGN.md has no 409 code for it; retry safely with X-Idempotency-Key instead).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SupportCaseDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS')
  async resolve(
    @Param('id') id: string,
    @Body() body: ResolveSupportCaseDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<SupportCaseDto> {
    return toDto(await this.support.resolve(id, body.resolution, admin.sub));
  }
}
