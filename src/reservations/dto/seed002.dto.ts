import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsISO8601, IsUUID, Matches } from 'class-validator';
import { RESERVATION_PAYMENT_STATUSES, type ReservationPaymentStatus } from '../../payments/payment-status';
import { CLIENT_SECRET_TYPES, type ClientSecretType } from './checkout.dto';
import { HoldRequestDto } from './hold.dto';

/**
 * Body of seed 002's `POST /api/reservations`: one vehicle for a date range, paid with a
 * saved card. The guest fields are the hold's own (same rules).
 */
export class Seed002ReservationRequestDto extends PickType(HoldRequestDto, ['guestName', 'guestEmail', 'guestPhone'] as const) {
  @ApiProperty({ format: 'uuid', description: 'A vehicle rental offering (`vehicle: true`).' })
  @IsUUID('all')
  offeringId!: string;

  @ApiProperty({ example: '2026-12-01', description: "The first day: pickup at the offering's pickup time, in its time zone." })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'startDate must be a date like 2026-12-01' })
  startDate!: string;

  @ApiProperty({ example: '2026-12-04', description: "The last day: return by the offering's return time." })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'endDate must be a date like 2026-12-04' })
  endDate!: string;

  @ApiProperty({
    format: 'uuid',
    description:
      "One of the user's saved cards (the `id` from `GET /v1/payments/methods`), authorised server-side and kept for " +
      'the charges that come after the return (fines).',
  })
  @IsUUID('all')
  paymentMethodId!: string;
}

export class Seed002ReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    example: 'confirmed',
    description: '`confirmed` once the card is authorised; `pending` while 3-D Secure waits (`requiresAction`).',
  })
  status!: string;

  @ApiProperty({ example: '2026-12-01T12:15:00.000Z', description: 'When the hold lapses if the payment does not complete.' })
  holdExpiresAt!: string;

  @ApiProperty({ example: 24000, description: 'The rental price, in minor units of `currency` (the deposit comes on top).' })
  totalPrice!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({
    enum: RESERVATION_PAYMENT_STATUSES,
    example: 'authorized',
    description: '`authorized`: price and deposit held on the card; `requires_action`: complete 3-D Secure.',
  })
  paymentStatus!: ReservationPaymentStatus;

  @ApiProperty({ example: 'pi_3Nx...' })
  paymentIntentId!: string;
}

/** Answer of seed 002's `POST /api/reservations`: the hold's reservation and its convert's payment. */
export class Seed002ReservationResponseDto {
  @ApiProperty({ type: Seed002ReservationDto })
  reservation!: Seed002ReservationDto;

  @ApiProperty({
    example: 'pi_3Nx..._secret_...',
    description: 'For Stripe.js / the mobile SDK when `requiresAction` (or the dev routes with the simulated provider).',
  })
  paymentClientSecret!: string;

  @ApiProperty({ example: false, description: 'True when the card needs 3-D Secure: complete it with the client secret.' })
  requiresAction!: boolean;

  @ApiProperty({
    enum: CLIENT_SECRET_TYPES,
    example: 'payment_intent',
    description:
      '`setup_intent` for a pickup later than RENTAL_AUTH_LEAD_DAYS: the card is set up now (`paymentIntentId` is the ' +
      "SetupIntent's id, `paymentStatus: scheduled` once it succeeds) and authorised off-session that many days before pickup.",
  })
  clientSecretType!: ClientSecretType;
}
