import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class CreateRefundDto {
  @ApiPropertyOptional({ example: 2500, description: 'Minor units; omit for everything not yet refunded.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amount?: number;

  @ApiPropertyOptional({ example: 'Guide fell ill' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RefundDto {
  @ApiProperty({ format: 'uuid' })
  refundId!: string;

  @ApiProperty({ format: 'uuid' })
  paymentId!: string;

  @ApiProperty({ example: 2500 })
  amount!: number;

  @ApiProperty({
    enum: ['pending', 'succeeded', 'failed'],
    description:
      'pending: written, the provider not yet reached (retried on timeouts, 5xx, 429). failed: the provider refused ' +
      'it for good (e.g. already refunded in its dashboard); never retried, and the payment is listed as stuck.',
  })
  status!: string;

  @ApiProperty({ nullable: true })
  reason!: string | null;

  @ApiProperty({ example: 'admin' })
  source!: string;

  @ApiProperty({ nullable: true, example: 're_3Nx...' })
  providerRefundId!: string | null;

  @ApiProperty()
  createdAt!: string;
}

export class StuckPaymentDto {
  @ApiProperty({ format: 'uuid' })
  paymentId!: string;

  @ApiProperty({ format: 'uuid' })
  reservationId!: string;

  @ApiProperty({ nullable: true, example: 'pi_3Nx...' })
  intentId!: string | null;

  @ApiProperty({ example: 'creating' })
  status!: string;

  @ApiProperty({ example: 15000 })
  amount!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ nullable: true })
  failureCode!: string | null;

  /** Minor units captured, as recorded. */
  @ApiProperty({ example: 15000 })
  captured!: number;

  /** Minor units refunded, as recorded (never more than captured). */
  @ApiProperty({ example: 0 })
  refunded!: number;

  /** Why it needs a person; null for payments marked before reasons were kept. */
  @ApiProperty({
    nullable: true,
    example: 'the provider reports 100 USD received for intent pi_3Nx..., the payment is 20000 EUR: nothing was confirmed',
  })
  reason!: string | null;
}

export class StuckPaymentListDto {
  @ApiProperty({ type: [StuckPaymentDto] })
  payments!: StuckPaymentDto[];
}
