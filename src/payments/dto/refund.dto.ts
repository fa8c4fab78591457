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
    description: 'pending: written, the provider not yet reached (retried).',
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
}

export class StuckPaymentListDto {
  @ApiProperty({ type: [StuckPaymentDto] })
  payments!: StuckPaymentDto[];
}
