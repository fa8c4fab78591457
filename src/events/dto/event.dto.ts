import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { EVENT_TYPES, type EventType } from '../events.types';

/** `GET /v1/admin/events`: the page after a cursor. */
export class EventFeedQueryDto {
  @ApiPropertyOptional({
    description: 'The `nextCursor` of the previous page; absent: from the first event.',
    example: '7423.1042',
  })
  @IsOptional()
  @Matches(/^\d{1,20}\.\d{1,19}$/, { message: 'after must be a cursor from nextCursor (digits.digits)' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

/** A reservation event: ids and facts, never the guest's name, email or phone. */
export class ReservationEventDto {
  /** The event's id: the NATS message id, the same in the feed and on the stream. */
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** The status the reservation moved to. */
  @ApiProperty({ enum: EVENT_TYPES })
  type!: EventType;

  @ApiProperty({ format: 'uuid' })
  reservationId!: string;

  /** The reservation owner's id (the token subject). */
  @ApiProperty({ example: 'auth0|6543' })
  userId!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  /** `reason`, `reference`, `totalCents`, `currency`, `holdExpiresAt` as they were after the change. */
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {
      reason: null,
      reference: 'K7QM2XHD9PWA',
      totalCents: 12000,
      currency: 'USD',
      holdExpiresAt: '2026-12-01T10:15:00Z',
    },
  })
  payload!: Record<string, unknown>;
}

export class EventPageDto {
  /** Oldest first; each reservation's events in the order they happened. */
  @ApiProperty({ type: [ReservationEventDto] })
  events!: ReservationEventDto[];

  /** Pass as `after` for the next page (the same cursor when nothing new has settled); null before any event. */
  @ApiProperty({ type: String, nullable: true, example: '7423.1042' })
  nextCursor!: string | null;
}
