import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PaginationDto, paginationQuery } from '@holdfast/pagination';
import {
  PAYMENT_ATTEMPT_STATUSES,
  RESERVATION_PAYMENT_STATUSES,
  type ReservationPaymentStatus,
} from '../../payments/payment-status';
import { RESERVATION_STATUSES, type ReservationStatus } from '../reservation.entity';
import { AppliedDiscountsDto } from './hold.dto';

/** The statuses, for callers outside reservations (the admin GraphQL API's enum). */
export { RESERVATION_STATUSES, type ReservationStatus };

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

/** One payment attempt of the reservation (each retry after a decline is a new one). Refunds take its `paymentId`. */
export class ReservationPaymentDto {
  @ApiProperty({ format: 'uuid', description: 'Our id: `POST /v1/admin/payments/{paymentId}/refunds` takes it.' })
  paymentId!: string;

  @ApiProperty({
    enum: PAYMENT_ATTEMPT_STATUSES,
    example: 'succeeded',
    description: "The attempt's status: a PaymentIntent's, plus `creating` (the provider has not answered yet) and `failed`.",
  })
  status!: string;

  @ApiProperty({ example: 15000, description: 'Minor units.' })
  amount!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ example: 15000 })
  captured!: number;

  @ApiProperty({ example: 0 })
  refunded!: number;

  @ApiProperty({ nullable: true, example: 'pi_3Nx...', type: String, description: "The provider's PaymentIntent id." })
  intentId!: string | null;

  @ApiProperty()
  createdAt!: string;
}

export class ReservationRefundDto {
  @ApiProperty({ format: 'uuid' })
  refundId!: string;

  @ApiProperty({ format: 'uuid' })
  paymentId!: string;

  @ApiProperty({ example: 5000 })
  amount!: number;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status!: string;

  @ApiProperty({ nullable: true, type: String, example: 'cancelled by the customer' })
  reason!: string | null;

  @ApiProperty()
  createdAt!: string;
}

/** What a reservation costs, line by line (DESIGN.md section 11). Minor units. */
export class ReservationTotalsDto {
  @ApiProperty({ example: 11700, description: 'The items at their original prices.' })
  subtotal!: number;

  @ApiProperty({ example: 1170 })
  discount!: number;

  @ApiProperty({ example: 690, description: 'The chosen shipping rate; 0 until one is chosen, and for what is not shipped.' })
  shipping!: number;

  @ApiProperty({ example: 2244 })
  tax!: number;

  @ApiProperty({ example: 13464, description: 'subtotal - discount + shipping + tax: what convert charges (`totalPrice`).' })
  total!: number;
}

/** Where a reservation's goods go, how, and once shipped, the shipment. */
export class ReservationShippingDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The shipping address.' })
  address!: Record<string, unknown>;

  @ApiProperty({ example: 'ups' })
  carrier!: string;

  @ApiProperty({ example: 'ground' })
  service!: string;

  @ApiProperty({ example: 690 })
  amount!: number;

  @ApiProperty({ example: 3 })
  estimatedDays!: number;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'When the goods were shipped.' })
  shippedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  shipmentCarrier!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  trackingNumber!: string | null;
}

/** Why a booking is flagged for an admin, and since when. */
export class ReservationAttentionDto {
  @ApiProperty({ example: 'vehicle_displaced' })
  reason!: string;

  @ApiProperty({ example: '2026-12-05T21:00:00.000Z' })
  flaggedAt!: string;
}

/** A reservation as the app sees it. `status` is the effective one: a hold past its time reads as expired. */
export class ReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'auth0|6543', description: 'Who booked it (the token subject).' })
  userId!: string;

  @ApiProperty({ enum: RESERVATION_STATUSES })
  status!: ReservationStatus;

  @ApiProperty({
    enum: RESERVATION_PAYMENT_STATUSES,
    example: 'paid',
    description:
      'Derived from the payments (DESIGN.md section 4): `none` (no attempt, or none that took or needs anything), ' +
      '`requires_action` (3-D Secure), `authorized`, `paid`, `partially_refunded`, `refunded`, `failed` (the latest attempt ' +
      'was declined or failed). `scheduled` is for vehicle rentals.',
  })
  paymentStatus!: ReservationPaymentStatus;

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

  @ApiProperty({ type: ReservationTotalsDto })
  totals!: ReservationTotalsDto;

  @ApiProperty({ example: false, description: 'The tax is an estimate: the tax service did not answer (fallback rates).' })
  taxEstimated!: boolean;

  @ApiProperty({
    type: ReservationShippingDto,
    nullable: true,
    description: 'Set once a shipping rate is chosen (reservations with products).',
  })
  shipping!: ReservationShippingDto | null;

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

  /**
   * Set when an admin must look at the booking (e.g. `vehicle_displaced`: fleet maintenance
   * took its vehicle and no other was free; a support case is open), else null.
   */
  @ApiProperty({ type: ReservationAttentionDto, nullable: true })
  attention!: ReservationAttentionDto | null;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ type: ReservationOfferingDto, nullable: true })
  experience!: ReservationOfferingDto | null;

  @ApiProperty({ type: ReservationTimeSlotDto, nullable: true })
  timeSlot!: ReservationTimeSlotDto | null;

  @ApiProperty({ type: [ReservationItemDto] })
  items!: ReservationItemDto[];

  @ApiProperty({ type: [ReservationPaymentDto], description: 'Every payment attempt, newest first.' })
  payments!: ReservationPaymentDto[];

  @ApiProperty({ type: [ReservationRefundDto], description: "Refunds of the reservation's payments, oldest first." })
  refunds!: ReservationRefundDto[];
}

export class ReservationListDto {
  @ApiProperty({ type: [ReservationDto] })
  reservations!: ReservationDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}

export class ListReservationsQueryDto extends paginationQuery({ defaultLimit: 10, maxLimit: 100 }) {
  @ApiPropertyOptional({ enum: RESERVATION_STATUSES })
  @IsOptional()
  @IsIn(RESERVATION_STATUSES)
  status?: ReservationStatus;
}

/** `GET /v1/admin/reservations`: any user's reservations; `from`/`to` bound when they were made (`createdAt`). */
export class AdminListReservationsQueryDto extends ListReservationsQueryDto {
  @ApiPropertyOptional({ description: "Only this user's (the token subject).", example: 'auth0|6543' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  userId?: string;

  @ApiPropertyOptional({ description: 'Made at or after this time (ISO 8601).', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Made before this time (ISO 8601).', example: '2026-12-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
