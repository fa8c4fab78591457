import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trim } from '@holdfast/errors';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** The longest nickname a saved card may carry. */
export const MAX_NICKNAME_LENGTH = 50;

/** Seed 004 "Add Payment Method": a PaymentMethod created on the device by Stripe.js. */
export class AddPaymentMethodDto {
  @ApiProperty({
    example: 'pm_card_visa',
    maxLength: 255,
    description:
      "The provider's PaymentMethod id from Stripe.js (`pm_...`), or one of Stripe's test ids such as `pm_card_visa` " +
      'with the simulated provider or a Stripe test key. An id the provider does not know is 400 VALIDATION_FAILED.',
  })
  @IsString()
  @MaxLength(255)
  @Matches(/^[A-Za-z0-9_]+$/, { message: 'paymentMethodId must be a provider PaymentMethod id such as pm_1Abc...' })
  paymentMethodId!: string;

  @ApiPropertyOptional({
    example: 'Work Card',
    minLength: 1,
    maxLength: MAX_NICKNAME_LENGTH,
    description: 'Trimmed; blank is refused.',
  })
  @IsOptional()
  @IsString()
  @Trim()
  @MinLength(1, { message: 'nickname must not be blank' })
  @MaxLength(MAX_NICKNAME_LENGTH)
  nickname?: string;
}

/** A saved card as the app shows it (seed 004). Never the provider's ids. */
export class PaymentMethodDto {
  @ApiProperty({ format: 'uuid', description: 'Our id: pass it as `paymentMethodId` to convert a hold.' })
  id!: string;

  @ApiProperty({ enum: ['card'], example: 'card' })
  type!: string;

  @ApiProperty({ example: '4242' })
  last4!: string;

  @ApiProperty({ example: 'Visa', description: 'Display name: Visa, Mastercard, American Express, Discover, ...' })
  brand!: string;

  @ApiProperty({ example: '12', description: 'Two digits, as printed on the card.' })
  expMonth!: string;

  @ApiProperty({ example: '2025' })
  expYear!: string;

  @ApiProperty({ description: 'The card used when none is named; exactly one of the user\u2019s cards, if any.' })
  isDefault!: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'Personal Card' })
  nickname!: string | null;

  @ApiProperty({ example: '2024-01-01T00:00:00.000Z' })
  createdAt!: string;
}

export class PaymentMethodListResponseDto {
  @ApiProperty({ enum: [true] })
  success!: true;

  @ApiProperty({ type: [PaymentMethodDto], description: 'The default card first, then newest first.' })
  data!: PaymentMethodDto[];
}

export class PaymentMethodResponseDto {
  @ApiProperty({ enum: [true] })
  success!: true;

  @ApiProperty({ type: PaymentMethodDto })
  data!: PaymentMethodDto;
}

export class PaymentMethodMessageDto {
  @ApiProperty({ enum: [true] })
  success!: true;

  @ApiProperty({ example: 'Payment method removed successfully' })
  message!: string;
}
