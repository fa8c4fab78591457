import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';

/** Body of `PUT /v1/admin/flags/{key}`. */
export class SetFlagDto {
  @ApiProperty({ example: false, description: 'On or off.' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'smtp',
    description: 'An optional variant an enabled flag carries (e.g. which provider); omit to keep it, null to clear it.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'variant may hold letters, digits and _ . : - only' })
  variant?: string | null;
}

export class FlagDto {
  @ApiProperty({ example: 'notifications.email' })
  key!: string;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({ type: String, nullable: true, example: null })
  variant!: string | null;

  @ApiProperty({ example: 'Send email notifications. Off: no email job is enqueued.', description: 'What the flag does.' })
  description!: string;

  @ApiProperty({ example: 'auth0|admin-1', description: 'Who flipped it last (token subject), or `system:migration`.' })
  updatedBy!: string;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z' })
  updatedAt!: string;
}

export class FlagListDto {
  @ApiProperty({ type: [FlagDto], description: 'By key.' })
  flags!: FlagDto[];
}
