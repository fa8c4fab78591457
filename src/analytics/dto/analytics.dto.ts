import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** An ISO-8601 date (`2026-03-01`, 00:00 UTC) or date-time with `Z` or an offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `GET /v1/bookings/analytics`: bookings created in [from, to), a page after a cursor. */
export class AnalyticsQueryDto {
  @ApiProperty({
    description: 'Bookings created at or after this instant: an ISO-8601 date (00:00 UTC) or date-time with `Z` or an offset.',
    example: '2026-11-01',
  })
  @IsString()
  @Matches(ISO_INSTANT, { message: 'from must be an ISO-8601 date or date-time (UTC or with an offset)' })
  from!: string;

  @ApiProperty({ description: 'Bookings created before this instant (exclusive); after `from`.', example: '2026-12-01' })
  @IsString()
  @Matches(ISO_INSTANT, { message: 'to must be an ISO-8601 date or date-time (UTC or with an offset)' })
  to!: string;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page (JSON pages only); opaque.' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  cursor?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'Bookings per JSON page (a booking of several lines gives several records, always on the same page).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

/**
 * One line of one booking for demand forecasting and revenue (seed 002's AnalyticsExport;
 * ours is the contract, field by field in docs/analytics.md). Money in minor units of
 * `currency`; times ISO-8601 UTC. No guest name, email, phone or user id.
 */
export class AnalyticsExport {
  @ApiProperty({ format: 'uuid' }) reservationId!: string;
  @ApiProperty({ format: 'uuid', description: 'The booking line (reservation item).' }) lineId!: string;
  @ApiProperty({ format: 'uuid' }) offeringId!: string;
  @ApiProperty({ enum: ['experience', 'product', 'rental'] }) offeringKind!: string;
  @ApiProperty({ description: 'The offering is a vehicle rental (seed 002).' }) vehicle!: boolean;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The rental unit (vehicle, room) allocated; null otherwise.',
  })
  unitId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) timeSlotId!: string | null;
  @ApiProperty({ nullable: true, type: String }) sku!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Slot start, or the first booked date at 00:00 UTC; null for goods.',
  })
  startAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Slot end, or the end date at 00:00 UTC; null for goods.',
  })
  endAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Minutes from booking to start (floor); null for goods.' })
  leadTimeMinutes!: number | null;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Guests (experiences); null otherwise.' }) partySize!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Days booked (rentals); null otherwise.' }) days!: number | null;
  @ApiProperty({ description: 'Minor units: one priced unit (guest, item or day).' }) unitPriceAmount!: number;
  @ApiProperty({ description: 'Minor units: the line before discounts.' }) lineOriginalAmount!: number;
  @ApiProperty({ description: 'Minor units.' }) lineDiscountAmount!: number;
  @ApiProperty({ description: 'Minor units: the line after discounts.' }) lineTotalAmount!: number;
  @ApiProperty({ description: 'Minor units: the whole booking before discounts.' }) bookingOriginalAmount!: number;
  @ApiProperty({ description: 'Minor units.' }) bookingDiscountAmount!: number;
  @ApiProperty({ description: 'Minor units (0 when nothing is shipped).' }) shippingAmount!: number;
  @ApiProperty({ description: 'Minor units.' }) taxAmount!: number;
  @ApiProperty({ description: 'Minor units: original - discount + shipping + tax.' }) bookingTotalAmount!: number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217.' }) currency!: string;
  @ApiProperty({ enum: ['held', 'pending', 'payment_failed', 'confirmed', 'cancelled', 'refunded', 'completed', 'expired'] })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'USER_CANCELLED' }) statusReason!: string | null;
  @ApiProperty({ format: 'date-time' }) holdExpiresAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) pendingAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) confirmedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) cancelledAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) refundedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiredAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) shippedAt!: string | null;
  @ApiProperty({
    enum: ['none', 'requires_action', 'authorized', 'scheduled', 'paid', 'partially_refunded', 'refunded', 'failed'],
  })
  paymentStatus!: string;
  @ApiProperty({ description: 'Minor units captured from the customer (all attempts, fines included).' }) paidAmount!: number;
  @ApiProperty({ description: 'Minor units refunded (succeeded refunds).' }) refundedAmount!: number;
  @ApiProperty({ description: 'Minor units kept: paid - refunded (for a cancelled booking, its cancellation fee).' })
  retainedAmount!: number;
  @ApiProperty({ description: 'How many lines the booking has (its records).' }) lineCount!: number;
}

/** A JSON page of the export. */
export class AnalyticsPageDto {
  @ApiProperty({ type: [AnalyticsExport] })
  data!: AnalyticsExport[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null when the range is done.' })
  nextCursor!: string | null;
}
