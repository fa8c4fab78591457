import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { RESERVATION_STATUSES, type ReservationStatus } from '../../reservations/dto/reservation.dto';
import { PageInfo } from './common.model';

export const ReservationStatusEnum = Object.fromEntries(RESERVATION_STATUSES.map((s) => [s, s])) as Record<
  ReservationStatus,
  ReservationStatus
>;
registerEnumType(ReservationStatusEnum, { name: 'ReservationStatus' });

@ObjectType('Payment', { description: 'A payment attempt (minor units)' })
export class PaymentModel {
  @Field(() => ID) paymentId!: string;
  @Field({ description: 'creating, a PaymentIntent status, or failed' }) status!: string;
  @Field(() => String, { nullable: true, description: 'booking, renewal or fine (a rental lists its fines too)' })
  purpose!: string | null;
  @Field(() => Int) amount!: number;
  @Field() currency!: string;
  @Field(() => Int) captured!: number;
  @Field(() => Int) refunded!: number;
  @Field(() => String, { nullable: true }) intentId!: string | null;
  @Field() createdAt!: string;
}

@ObjectType('Refund', { description: 'A refund of a payment (minor units)' })
export class RefundModel {
  @Field(() => ID) refundId!: string;
  @Field(() => ID) paymentId!: string;
  @Field(() => Int) amount!: number;
  @Field({ description: 'pending, succeeded or failed' }) status!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() createdAt!: string;
}

@ObjectType('ReservationItem')
export class ReservationItemModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) offeringId!: string;
  @Field({ description: 'experience, product or rental' }) kind!: string;
  @Field() title!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Int) totalPrice!: number;
  @Field(() => String, { nullable: true }) startDate!: string | null;
  @Field(() => String, { nullable: true }) endDate!: string | null;
}

@ObjectType('Reservation', { description: 'A reservation with its items, payment attempts and refunds' })
export class ReservationModel {
  @Field(() => ID) id!: string;
  @Field() userId!: string;
  @Field(() => ReservationStatusEnum) status!: ReservationStatus;
  @Field({ description: 'What its payments add up to (DESIGN.md section 4)' }) paymentStatus!: string;
  @Field(() => Int) totalPrice!: number;
  @Field() currency!: string;
  @Field() guestName!: string;
  @Field() createdAt!: string;
  @Field(() => [ReservationItemModel]) items!: ReservationItemModel[];
  @Field(() => [PaymentModel]) payments!: PaymentModel[];
  @Field(() => [RefundModel]) refunds!: RefundModel[];
}

@ObjectType()
export class ReservationPage {
  @Field(() => [ReservationModel]) reservations!: ReservationModel[];
  @Field(() => PageInfo) page!: PageInfo;
}

@InputType()
export class ReservationsFilter {
  @Field(() => ReservationStatusEnum, { nullable: true, description: 'The effective status: a hold past its time is expired' })
  @IsOptional()
  @IsIn(RESERVATION_STATUSES)
  status?: ReservationStatus;

  @Field({ nullable: true, description: 'The user (token subject)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  userId?: string;

  @Field({ nullable: true, description: 'Made at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @Field({ nullable: true, description: 'Made before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
