import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { RESERVATION_PAYMENT_STATUSES, type ReservationPaymentStatus } from '../../payments/payment-status';

export class ConvertHoldDto {
  @ApiProperty({ format: 'uuid', description: 'The hold from POST /v1/reservations/hold.' })
  @IsUUID('all')
  holdId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A saved card (GET /v1/payments/methods): charged server-side.' })
  @IsOptional()
  @IsUUID('all')
  paymentMethodId?: string;

  @ApiPropertyOptional({ description: 'Keep the card the user enters for next time.' })
  @IsOptional()
  @IsBoolean()
  savePaymentMethod?: boolean;
}

export class ConvertReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'pending', description: '`confirmed` at once when a saved card needed no authentication.' })
  status!: string;

  @ApiProperty({
    example: 'pi_3Nx...',
    description:
      "The PaymentIntent's id; the SetupIntent's id (`seti_...`) when `clientSecretType` is `setup_intent` (pass it to " +
      '`POST /v1/reservations/confirm` all the same).',
  })
  paymentIntentId!: string;

  @ApiProperty({
    enum: RESERVATION_PAYMENT_STATUSES,
    example: 'none',
    description:
      '`none` while the intent waits for the card; `requires_action`, `paid`, `authorized` or `failed` after a saved card; ' +
      '`scheduled` once the card of a vehicle booked ahead is set up.',
  })
  paymentStatus!: ReservationPaymentStatus;
}

/** What the client secret is for: Stripe.js `confirmPayment` (a PaymentIntent) or `confirmSetup` (a SetupIntent). */
export const CLIENT_SECRET_TYPES = ['payment_intent', 'setup_intent'] as const;
export type ClientSecretType = (typeof CLIENT_SECRET_TYPES)[number];

export class ConvertResponseDto {
  @ApiProperty({ type: ConvertReservationDto })
  reservation!: ConvertReservationDto;

  @ApiProperty({
    example: 'pi_3Nx..._secret_...',
    description: 'Use with Stripe.js (or the dev routes with the simulated provider).',
  })
  paymentClientSecret!: string;

  @ApiProperty({ example: false, description: 'True when the card needs 3-D Secure: complete it with Stripe.js.' })
  requiresAction!: boolean;

  @ApiProperty({
    enum: CLIENT_SECRET_TYPES,
    example: 'payment_intent',
    description:
      '`payment_intent`: pay (or authorise) with `confirmPayment`. `setup_intent`: a vehicle picked up later than ' +
      'RENTAL_AUTH_LEAD_DAYS; save the card with `confirmSetup`: the booking is confirmed with `paymentStatus: scheduled` ' +
      'and the price and deposit are authorised off-session that many days before pickup.',
  })
  clientSecretType!: ClientSecretType;
}

export class ConfirmReservationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  reservationId!: string;

  @ApiProperty({ example: 'pi_3Nx...' })
  @IsString()
  @MinLength(3)
  @MaxLength(255)
  paymentIntentId!: string;
}

export class ConfirmedReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'confirmed' })
  status!: string;

  @ApiProperty({
    enum: RESERVATION_PAYMENT_STATUSES,
    example: 'paid',
    description: '`paid`; `authorized` for an attempt authorised with manual capture (vehicles).',
  })
  paymentStatus!: ReservationPaymentStatus;

  @ApiProperty({ example: 'ABC123DEF456' })
  reservationReference!: string;
}

export class ConfirmedPaymentDto {
  @ApiProperty({ format: 'uuid' })
  paymentId!: string;

  @ApiProperty({
    example: 'captured',
    description:
      "`captured`, or `authorized` for rentals; `scheduled` when a vehicle's SetupIntent confirmed the booking (`paymentId` " +
      "is then the setup's id).",
  })
  status!: string;

  @ApiProperty({ example: 'ch_3Nx...', nullable: true })
  chargeId!: string | null;
}

export class ConfirmResponseDto {
  @ApiProperty({ type: ConfirmedReservationDto })
  reservation!: ConfirmedReservationDto;

  @ApiProperty({ type: ConfirmedPaymentDto })
  payment!: ConfirmedPaymentDto;
}

export class PaymentStatusDataDto {
  @ApiProperty({ example: 'pending' })
  reservationStatus!: string;

  @ApiProperty({ example: 'pi_3Nx...', nullable: true })
  paymentIntentId!: string | null;

  @ApiProperty({ example: 'succeeded', nullable: true, description: "The PaymentIntent's status at the provider." })
  stripeStatus!: string | null;

  @ApiProperty({ example: false })
  requiresAction!: boolean;

  /**
   * While `requiresAction`: the provider's `next_action.type`, as it says it, e.g.
   * `use_stripe_sdk` (handle it with Stripe.js / the mobile SDK and the client secret),
   * `redirect_to_url` (open the bank's page), `verify_with_microdeposits`. Null otherwise.
   */
  @ApiProperty({ example: 'use_stripe_sdk', nullable: true, type: String })
  actionType!: string | null;

  /**
   * While the customer can still complete the attempt or SetupIntent (it waits for a card,
   * a confirmation or 3-D Secure), its client secret for Stripe.js; null otherwise. A
   * vehicle whose off-session authorisation was declined shows `requiresAction: true`,
   * `stripeStatus: requires_payment_method` and this secret: confirm the intent in the app
   * with the saved card (`confirmPayment`), before the deadline its email gives.
   */
  @ApiProperty({ example: 'pi_3Nx..._secret_...', nullable: true, type: String })
  clientSecret!: string | null;

  @ApiProperty({
    enum: CLIENT_SECRET_TYPES,
    nullable: true,
    example: 'payment_intent',
    description: 'What `paymentIntentId` and `clientSecret` are.',
  })
  clientSecretType!: ClientSecretType | null;
}

export class PaymentStatusResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: PaymentStatusDataDto })
  data!: PaymentStatusDataDto;
}
