import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { RESERVATION_STATUSES, type ReservationStatus } from '../reservation.entity';
import { AppliedDiscountsDto } from './hold.dto';

export class ReservationOfferingDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['experience', 'product', 'rental'] })
  kind!: string;

  @ApiProperty({ example: 'Sunset kayak tour' })
  title!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: [String] })
  images!: string[];
}

export class ReservationTimeSlotDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  startsAt!: string;

  @ApiProperty()
  endsAt!: string;
}

export class ReservationItemDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ enum: ['experience', 'product', 'rental'] })
  kind!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ format: 'uuid', nullable: true })
  timeSlotId!: string | null;

  @ApiProperty({ nullable: true })
  sku!: string | null;

  @ApiProperty({ nullable: true, example: '2026-12-01' })
  startDate!: string | null;

  @ApiProperty({ nullable: true, example: '2026-12-04' })
  endDate!: string | null;

  @ApiProperty()
  quantity!: number;

  @ApiProperty({ description: 'Minor units per guest, unit or day.' })
  unitPrice!: number;

  @ApiProperty()
  totalPrice!: number;
}

/** A reservation as the app sees it. `status` is the effective one: a hold past its time reads as expired. */
export class ReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: RESERVATION_STATUSES })
  status!: ReservationStatus;

  @ApiProperty({ format: 'uuid', nullable: true, description: 'The (first) booked offering, as in seed 004.' })
  experienceId!: string | null;

  @ApiProperty()
  holdExpiresAt!: string;

  @ApiProperty({ example: 15000 })
  totalPrice!: number;

  @ApiProperty({ example: 20000 })
  originalPrice!: number;

  @ApiProperty({ example: 5000 })
  discountApplied!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ type: AppliedDiscountsDto })
  appliedDiscounts!: AppliedDiscountsDto;

  @ApiProperty()
  guestName!: string;

  @ApiProperty()
  guestEmail!: string;

  @ApiProperty({ nullable: true })
  guestPhone!: string | null;

  @ApiProperty({ nullable: true })
  specialRequests!: string | null;

  @ApiProperty({ nullable: true, example: 'ABC123DEF456', description: 'Set when confirmed.' })
  reservationReference!: string | null;

  @ApiProperty({ nullable: true, example: 'USER_CANCELLED' })
  statusReason!: string | null;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ type: ReservationOfferingDto, nullable: true })
  experience!: ReservationOfferingDto | null;

  @ApiProperty({ type: ReservationTimeSlotDto, nullable: true })
  timeSlot!: ReservationTimeSlotDto | null;

  @ApiProperty({ type: [ReservationItemDto] })
  items!: ReservationItemDto[];
}

export class PaginationDto {
  @ApiProperty({ example: 25 })
  total!: number;

  @ApiProperty({ example: 10 })
  limit!: number;

  @ApiProperty({ example: 0 })
  offset!: number;

  @ApiProperty({ example: true })
  hasMore!: boolean;
}

export class ReservationListDto {
  @ApiProperty({ type: [ReservationDto] })
  reservations!: ReservationDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}

export class ListReservationsQueryDto {
  @ApiPropertyOptional({ enum: RESERVATION_STATUSES })
  @IsOptional()
  @IsIn(RESERVATION_STATUSES)
  status?: ReservationStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;
}
