import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JOB_STATES, type JobState } from '@holdfast/jobs';
import { PaginationQueryDto } from '@holdfast/pagination';

/** Query of `GET /v1/admin/jobs`. */
export class ListJobsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    enum: JOB_STATES,
    example: 'failed',
    description:
      '`failed` is the dead-letter list: jobs whose last retry failed. `retry`: failed, waiting for their next attempt.',
  })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;

  @ApiPropertyOptional({ example: 'example-job', maxLength: 100, description: 'One job type (queue) only.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[\w-]+$/)
  queue?: string;
}

/** One job. */
export class JobDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** The job type. */
  @ApiProperty({ example: 'example-job' })
  queue!: string;

  @ApiProperty({ enum: JOB_STATES, example: 'failed' })
  state!: JobState;

  /** Retries made so far (0 on the first attempt). */
  @ApiProperty({ example: 2 })
  retryCount!: number;

  /** Retries allowed; a manual retry adds one. */
  @ApiProperty({ example: 2 })
  retryLimit!: number;

  /** The job's data as JSON, cut at 200 characters (ids, never personal data). */
  @ApiProperty({ example: '{"reservationId":"3f1c..."}' })
  dataSummary!: string;

  /** The last failure's message, for `failed` and `retry` jobs. */
  @ApiProperty({ type: String, nullable: true, example: 'SMTP answered 550' })
  error!: string | null;

  /** What the handler returned, for `completed` jobs. */
  @ApiProperty({ type: Object, nullable: true })
  output!: unknown;

  @ApiProperty({ format: 'date-time' })
  createdOn!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedOn!: Date | null;

  /** When it completed, or failed for the last time. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedOn!: Date | null;

  /** When it may next run: a retry's backoff shows here. */
  @ApiProperty({ format: 'date-time' })
  startAfter!: Date;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] })
  jobs!: JobDto[];

  @ApiProperty({ example: 50 })
  limit!: number;

  @ApiProperty({ example: 0 })
  offset!: number;
}
