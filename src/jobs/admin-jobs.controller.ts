import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AppError, ApiErrors } from '@holdfast/errors';
import { JobsService } from '@holdfast/jobs';
import { Roles } from '../auth/auth.decorators';
import { JobDto, JobListDto, ListJobsQueryDto } from './dto/job.dto';

const notFound = () => new AppError('NOT_FOUND', 'Job not found');

@ApiTags('admin')
@Roles('admin')
@Controller('admin/jobs')
export class AdminJobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({
    summary: 'List background jobs (the dead-letter list with state=failed)',
    description:
      'Jobs of the queue, newest first. `state=failed` lists the jobs whose last retry failed: replay one with ' +
      '`POST /v1/admin/jobs/{id}/retry` once the cause is fixed. Failed jobs stay here 14 days.',
  })
  @ApiOkResponse({ type: JobListDto })
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  async list(@Query() query: ListJobsQueryDto): Promise<JobListDto> {
    const jobs = await this.jobs.list({ state: query.state, queue: query.queue, limit: query.limit, offset: query.offset });
    return { jobs, limit: query.limit, offset: query.offset };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a failed job',
    description:
      'Gives a `failed` job one more attempt (state `retry`; a worker takes it at once). Idempotent: a job that is ' +
      'not failed (already replayed, running or done) is left as it is. Answers with the job as it now stands.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: JobDto })
  @ApiErrors('NOT_FOUND', 'FORBIDDEN')
  async retry(@Param('id', new ParseUUIDPipe({ exceptionFactory: notFound })) id: string): Promise<JobDto> {
    const job = await this.jobs.retry(id);
    if (!job) throw notFound();
    return job;
  }
}
