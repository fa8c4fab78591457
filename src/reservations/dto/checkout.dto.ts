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

  @ApiProperty({ example: 'pi_3Nx...' })
  paymentIntentId!: string;

  @ApiProperty({
    enum: RESERVATION_PAYMENT_STATUSES,
    example: 'none',
    description: '`none` while the intent waits for the card; `requires_action`, `paid` or `failed` after a saved card.',
  })
  paymentStatus!: ReservationPaymentStatus;
}

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

  @ApiProperty({ example: 'captured', description: '`captured`, or `authorized` for rentals.' })
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
}

export class PaymentStatusResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: PaymentStatusDataDto })
  data!: PaymentStatusDataDto;
}
