import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `POST /v1/admin/analytics/exports`. */
export class RunAnalyticsExportDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 31, description: 'How many past UTC days; default ANALYTICS_EXPORT_DAYS.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31)
  days?: number;
}

export class AnalyticsExportRunDto {
  @ApiProperty({ type: [String], example: ['2026-12-04', '2026-12-03'], description: 'The UTC days queued, newest first.' })
  days!: string[];

  @ApiProperty({
    type: [String],
    example: ['analytics/bookings/2026-12-04.ndjson.gz'],
    description: 'The object keys they replace.',
  })
  keys!: string[];
}
