import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { Trim } from '@holdfast/errors';
import { ShippingAddressDto } from '../../shipping/dto/shipping-address.dto';

/** Body of `POST /v1/reservations/{id}/shipping-rates`. */
export class ShippingRatesRequestDto {
  @ApiProperty({ type: ShippingAddressDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  address!: ShippingAddressDto;
}

export class ShippingRateDto {
  @ApiProperty({ format: 'uuid', description: 'Choose it with PUT /v1/reservations/{id}/shipping within 15 minutes.' })
  rateId!: string;

  @ApiProperty({ example: 'ups', description: 'The carrier, or `flat-rate` for the fallback table.' })
  carrier!: string;

  @ApiProperty({ example: 'ground' })
  service!: string;

  @ApiProperty({ example: 690, description: 'Minor units of `currency`.' })
  amount!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ example: 3 })
  estimatedDays!: number;
}

export class ShippingRatesResponseDto {
  @ApiProperty({ type: [ShippingRateDto], description: 'Cheapest first.' })
  rates!: ShippingRateDto[];

  @ApiProperty({
    example: false,
    description: 'True when no carrier answered within 3 s and these are the configured flat rates.',
  })
  fallback!: boolean;

  @ApiProperty({ example: '2026-12-04T10:30:00.000Z', description: 'When these rates stop being accepted.' })
  expiresAt!: string;
}

/** Body of `PUT /v1/reservations/{id}/shipping`. */
export class ChooseShippingDto {
  @ApiProperty({ type: ShippingAddressDto, description: 'The address the rate was quoted for.' })
  @IsObject()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  address!: ShippingAddressDto;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  rateId!: string;
}

/** Body of `POST /v1/admin/reservations/{id}/shipments`. */
export class CreateShipmentDto {
  @ApiProperty({ example: 'ups', maxLength: 64 })
  @Trim()
  @IsString()
  @Matches(/^[\w .&-]{1,64}$/, { message: 'carrier must be 1 to 64 letters, digits, spaces, dots, & or hyphens' })
  carrier!: string;

  @ApiProperty({ example: '1Z999AA10123456784', maxLength: 64 })
  @Trim()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{4,64}$/, { message: 'trackingNumber must be 4 to 64 letters, digits or hyphens' })
  trackingNumber!: string;
}
