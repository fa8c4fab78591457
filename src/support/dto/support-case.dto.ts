import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { Trim } from '@holdfast/errors';
import { PaginationDto, PaginationQueryDto } from '@holdfast/pagination';
import { SUPPORT_CASE_STATUSES, type SupportCaseStatus } from '../support.types';

/** Query of `GET /v1/admin/support-cases`. */
export class ListSupportCasesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: SUPPORT_CASE_STATUSES, example: 'open' })
  @IsOptional()
  @IsIn(SUPPORT_CASE_STATUSES)
  status?: SupportCaseStatus;

  @ApiPropertyOptional({ example: 'ims_confirmation_failed', description: 'Only cases of this kind.' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  kind?: string;
}

/** Body of `POST /v1/admin/support-cases/{id}/resolve`. */
export class ResolveSupportCaseDto {
  @ApiProperty({
    example: 'Called the guest; refunded by hand in the Stripe dashboard.',
    minLength: 1,
    maxLength: 2000,
    description: 'What was done about it, for whoever reads the case next.',
  })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  resolution!: string;
}

export class SupportCaseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ims_confirmation_failed', description: 'What failed.' })
  kind!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  reservationId!: string | null;

  @ApiProperty({ enum: SUPPORT_CASE_STATUSES, example: 'open' })
  status!: SupportCaseStatus;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { paymentId: '7d7c9a3e-2b3f-4f3a-8f0e-3a3c1e0b9d21', error: 'card_declined' },
    description: 'What the person needs to know: ids, amounts, error codes.',
  })
  details!: Record<string, unknown>;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z' })
  openedAt!: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  resolvedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null, description: 'The admin who resolved it (token subject).' })
  resolvedBy!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  resolution!: string | null;
}

export class SupportCaseListDto {
  @ApiProperty({ type: [SupportCaseDto], description: 'Newest first.' })
  cases!: SupportCaseDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}
