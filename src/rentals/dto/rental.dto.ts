import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Trim } from '@holdfast/errors';
import { RENTAL_STATUSES, type RentalStatus } from '../rentals.types';
import { DISPUTE_REASONS, type DisputeReason, FINE_KINDS, type FineKind } from '../settlement';

export class ReadingDto {
  @ApiProperty({ type: Number, nullable: true, example: 48_210 })
  odometerKm!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 85 })
  energyLevelPercent!: number | null;
}

export class ReturnReadingDto extends ReadingDto {
  @ApiProperty({ enum: ['telematics', 'customer'], nullable: true, description: "Telematics' readings win where it gave them." })
  source!: 'telematics' | 'customer' | null;
}

export class ReturnPhotoDto {
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256!: string;

  @ApiProperty({ example: 2_483_112 })
  size!: number;

  @ApiProperty({ example: 'image/jpeg' })
  contentType!: string;
}

export class RentalFineDto {
  @ApiProperty({ enum: FINE_KINDS })
  kind!: FineKind;

  @ApiProperty({ example: 3000, description: 'Owed now, minor units.' })
  amount!: number;

  @ApiProperty({ example: 3000, description: 'First assessed; the difference to `amount` was waived.' })
  assessed!: number;

  @ApiProperty({ example: '2 started hour(s) late after the grace' })
  reason!: string;

  @ApiProperty({ example: 'automatic', description: '`automatic`, or the admin who set it.' })
  setBy!: string;
}

export class RentalMoneyDto {
  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ example: 24000, description: 'The rental price agreed at booking.' })
  price!: number;

  @ApiProperty({ example: 30000, description: 'Held on the card on top of the price, released at settlement.' })
  deposit!: number;

  @ApiProperty({
    example: 27000,
    description: 'Price plus the fines owed now; a booking cancelled before pickup: what it kept (the cancellation fee, or 0).',
  })
  due!: number;

  @ApiProperty({ example: 0, description: 'Held on the card and not yet captured.' })
  authorised!: number;

  @ApiProperty({ example: 27000, description: "Captured from the booking's authorisation." })
  captured!: number;

  @ApiProperty({ example: 0, description: 'Taken by separate charges (fines above the authorisation or raised later).' })
  charged!: number;

  @ApiProperty({ example: 0 })
  refunded!: number;

  @ApiProperty({ example: 0, description: 'Due and neither taken nor covered by an open authorisation (a failed fine charge).' })
  owed!: number;
}

/** `payOwed`: the declined fine charge the customer can pay in the app. */
export class RentalPayOwedDto {
  @ApiProperty({ example: 'pi_3Nx...', description: "The fine charge's PaymentIntent." })
  paymentIntentId!: string;

  @ApiProperty({
    example: 'pi_3Nx..._secret_...',
    description:
      'Its client secret: confirm it in the app with any card (Stripe.js / the mobile SDK `confirmPayment`; with the ' +
      'simulated provider, `POST /v1/dev/payments/{paymentIntentId}/confirm`). The rental settles once the provider says it succeeded.',
  })
  clientSecret!: string;

  @ApiProperty({ enum: ['payment_intent'], example: 'payment_intent' })
  clientSecretType!: 'payment_intent';

  @ApiProperty({ example: 8000, description: 'Minor units: always `money.owed`.' })
  amount!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({
    enum: ['requires_payment_method', 'requires_action'],
    description:
      '`requires_payment_method`: the saved card was declined, pay with any card; `requires_action`: 3-D Secure to complete.',
  })
  stripeStatus!: 'requires_payment_method' | 'requires_action';
}

export class RentalVehicleDto {
  @ApiProperty({ format: 'uuid' })
  unitId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'HF-204-VN' })
  plate!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Renault Master L2H2' })
  model!: string | null;
}

/** `GET /v1/rentals/{id}`: a vehicle rental as the app shows it. */
export class RentalDto {
  @ApiProperty({ format: 'uuid', description: 'The reservation id.' })
  id!: string;

  @ApiProperty({ enum: RENTAL_STATUSES })
  rentalStatus!: RentalStatus;

  @ApiProperty({ type: RentalVehicleDto })
  vehicle!: RentalVehicleDto;

  @ApiProperty({ format: 'date-time', description: "Pickup time of the first day, in the offering's zone." })
  pickupAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Return time of the last day.' })
  returnAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  returnedAt!: string | null;

  @ApiProperty({ type: ReadingDto, description: "Telematics' readings at the first unlock." })
  pickupReading!: ReadingDto;

  @ApiProperty({ type: ReturnReadingDto })
  returnReading!: ReturnReadingDto;

  @ApiProperty({ type: [ReturnPhotoDto] })
  photos!: ReturnPhotoDto[];

  @ApiProperty({ enum: DISPUTE_REASONS, isArray: true, description: 'Why the return waits for an admin (empty: it does not).' })
  disputes!: DisputeReason[];

  @ApiProperty({ type: [RentalFineDto] })
  fines!: RentalFineDto[];

  @ApiProperty({ type: RentalMoneyDto })
  money!: RentalMoneyDto;

  @ApiProperty({
    type: RentalPayOwedDto,
    nullable: true,
    description:
      'While a fine charge to the saved card was declined and its amount is owed: the PaymentIntent to pay it with in the app ' +
      '(the email about the decline sends the customer here). Shown to the renter only (admins see null: the secret lets ' +
      'whoever holds it pay). Null otherwise; the charge is retried off-session over 72 hours meanwhile.',
  })
  payOwed!: RentalPayOwedDto | null;
}

/** Body of `POST /v1/admin/rentals/{id}/verification`. */
export class RentalVerificationDto {
  @ApiProperty({
    enum: ['approve', 'reject'],
    description: '`approve`: the fines as they stand are owed and the rental settles; `reject`: it stays disputed.',
  })
  @IsIn(['approve', 'reject'])
  decision!: 'approve' | 'reject';

  @ApiPropertyOptional({ maxLength: 2000, example: 'Photos show the tank full; the gauge sensor is faulty.' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

/** Body of `PUT /v1/admin/rentals/{id}/fines/{kind}`. */
export class SetRentalFineDto {
  @ApiProperty({
    example: 4500,
    minimum: 0,
    maximum: 10_000_000,
    description: 'What the fine is now, minor units (0 waives it).',
  })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  amount!: number;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Scratch on the rear door, photo 3' })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}
