import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from '@holdfast/audit';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AnalyticsExportJob, lastDays } from './analytics-export.job';
import { AnalyticsConfig } from './analytics.config';
import { AnalyticsExportRunDto, RunAnalyticsExportDto } from './dto/analytics-export.dto';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/analytics')
export class AdminAnalyticsController {
  constructor(
    private readonly job: AnalyticsExportJob,
    private readonly config: AnalyticsConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly txHost: TransactionHost,
  ) {}

  @Post('exports')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run the nightly analytics export now (audited)',
    description:
      'Queues the export of each of the last `days` UTC days (default ANALYTICS_EXPORT_DAYS) to the object store, ' +
      'replacing their files, as the nightly run does (docs/analytics.md). Returns the days queued; the jobs show in ' +
      '`GET /v1/admin/jobs?queue=analytics-export-day`.',
  })
  @ApiAcceptedResponse({ type: AnalyticsExportRunDto })
  @ApiErrors('VALIDATION_FAILED')
  async run(@CurrentUser() admin: AuthUser, @Body() body: RunAnalyticsExportDto): Promise<AnalyticsExportRunDto> {
    const days = lastDays(this.clock.nowMs(), body.days ?? this.config.exportDays);
    return this.txHost.run(async () => {
      await this.job.enqueueDays(days);
      await this.audit.record({
        actor: admin.sub,
        recordType: 'analytics_export',
        recordId: days[0],
        action: 'run',
        after: { days },
      });
      return { days, keys: days.map((day) => `analytics/bookings/${day}.ndjson.gz`) };
    });
  }
}
