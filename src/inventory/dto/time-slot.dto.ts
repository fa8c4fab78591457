import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SLOT_STATUSES, type SlotStatus } from '../time-slot.entity';
import { IsIsoTimestamp } from './iso-timestamp';

export const MAX_SLOT_CAPACITY = 100_000;

/** Body of `POST /v1/admin/offerings/{id}/time-slots`. */
export class CreateTimeSlotDto {
  @ApiProperty({ example: '2026-07-01T09:00:00Z', description: 'Start, ISO 8601 with a zone (stored in UTC).' })
  @IsIsoTimestamp()
  startsAt!: string;

  @ApiProperty({ example: '2026-07-01T11:00:00Z', description: 'End; must be after `startsAt`.' })
  @IsIsoTimestamp()
  endsAt!: string;

  @ApiProperty({ example: 12, minimum: 1, maximum: MAX_SLOT_CAPACITY, description: 'Places (guests) in the slot.' })
  @IsInt()
  @Min(1)
  @Max(MAX_SLOT_CAPACITY)
  capacity!: number;
}

/** Body of `PATCH /v1/admin/time-slots/{id}`: send only what changes. */
export class UpdateTimeSlotDto {
  @ApiPropertyOptional({
    example: 20,
    minimum: 1,
    maximum: MAX_SLOT_CAPACITY,
    description: 'New capacity; never below the places already held or booked.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SLOT_CAPACITY)
  capacity?: number;

  @ApiPropertyOptional({
    enum: SLOT_STATUSES,
    example: 'closed',
    description: 'Only `open` slots can be held; closing or cancelling one leaves existing reservations as they are.',
  })
  @IsOptional()
  @IsIn(SLOT_STATUSES)
  status?: SlotStatus;

  @ApiPropertyOptional({ example: '2026-07-01T09:30:00Z' })
  @IsOptional()
  @IsIsoTimestamp()
  startsAt?: string;

  @ApiPropertyOptional({ example: '2026-07-01T11:30:00Z', description: 'Must stay after the (new or current) start.' })
  @IsOptional()
  @IsIsoTimestamp()
  endsAt?: string;
}

/** A time slot as admins see it. */
export class TimeSlotDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ example: '2026-07-01T09:00:00.000Z' })
  startsAt!: Date;

  @ApiProperty({ example: '2026-07-01T11:00:00.000Z' })
  endsAt!: Date;

  @ApiProperty({ example: 12 })
  capacity!: number;

  @ApiProperty({ example: 2, description: 'Places in unpaid holds.' })
  held!: number;

  @ApiProperty({ example: 4, description: 'Places in confirmed reservations.' })
  booked!: number;

  @ApiProperty({ example: 6, description: '`capacity - held - booked`.' })
  placesLeft!: number;

  @ApiProperty({ enum: SLOT_STATUSES, example: 'open' })
  status!: SlotStatus;
}
