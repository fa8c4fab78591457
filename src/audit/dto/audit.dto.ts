import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PaginationDto, PaginationQueryDto } from '@holdfast/pagination';

/** Query of `GET /v1/admin/audit`: every filter given must match. */
export class ListAuditQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    example: 'offering',
    description: 'The kind of record: offering, time_slot, offering_stock, rental_unit, refund, feature_flag, support_case.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  recordType?: string;

  @ApiPropertyOptional({ example: '4f1c0c1e-8a35-4f0e-9a51-0c3f1f2b9d11', description: "The record's id (a flag's key)." })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  recordId?: string;

  @ApiPropertyOptional({ example: 'auth0|admin-1', description: "Only this admin's changes (the token subject)." })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actor?: string;

  @ApiPropertyOptional({ description: 'At or after this time (ISO 8601).', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Before this time (ISO 8601).', example: '2026-12-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z', description: 'When the change was made (its transaction).' })
  occurredAt!: string;

  @ApiProperty({ example: 'auth0|admin-1', description: 'Who: the admin (token subject), or `system:<what>`.' })
  actor!: string;

  @ApiProperty({ example: 'offering' })
  recordType!: string;

  @ApiProperty({ example: '4f1c0c1e-8a35-4f0e-9a51-0c3f1f2b9d11' })
  recordId!: string;

  @ApiProperty({ example: 'update', description: 'What was done: create, update, set, refund, resolve.' })
  action!: string;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The record before the change, as the admin API shows it; null for a creation.',
  })
  before!: unknown;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The record after the change, as the admin API shows it.',
  })
  after!: unknown;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first.' })
  entries!: AuditEntryDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}
