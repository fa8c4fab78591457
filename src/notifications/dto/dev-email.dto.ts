import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PaginationDto, PaginationQueryDto } from '@holdfast/pagination';
import { EMAIL_TEMPLATES, type EmailTemplate } from '../notifications.types';

/** Query of `GET /v1/dev/emails`. */
export class ListDevEmailsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the emails about this reservation.' })
  @IsOptional()
  @IsUUID()
  reservationId?: string;
}

export class DevEmailDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The notification it delivers (also the Message-ID over SMTP).' })
  notificationId!: string;

  @ApiProperty({ enum: EMAIL_TEMPLATES, example: 'reservation_confirmed' })
  template!: EmailTemplate;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  reservationId!: string | null;

  @ApiProperty({ example: 'jane@example.com' })
  to!: string;

  @ApiProperty({ example: 'Your booking is confirmed (K7P2M9QX4T8C)' })
  subject!: string;

  @ApiProperty({ description: 'The plain-text part.' })
  text!: string;

  @ApiProperty({ description: 'The HTML part.' })
  html!: string;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z', description: 'When it was "sent".' })
  createdAt!: string;
}

export class DevEmailListDto {
  @ApiProperty({ type: [DevEmailDto], description: 'Newest first.' })
  emails!: DevEmailDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}
