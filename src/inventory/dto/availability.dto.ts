import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { VEHICLE_ENERGIES, type VehicleEnergy } from '../inventory.types';
import { SLOT_STATUSES, type SlotStatus } from '../time-slot.entity';
import { IsIsoTimestamp } from './iso-timestamp';

export const DEFAULT_AVAILABILITY_DAYS = 30;
export const MAX_AVAILABILITY_DAYS = 366;

/** Query of `GET /v1/catalog/offerings/{id}/availability`. */
export class AvailabilityQueryDto {
  @ApiPropertyOptional({ example: '2026-07-01', description: 'Start of the window (inclusive); default: now.' })
  @IsOptional()
  @IsIsoTimestamp()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-07-08',
    description: `End of the window (exclusive); default: \`from\` + ${DEFAULT_AVAILABILITY_DAYS} days; at most ${MAX_AVAILABILITY_DAYS} days after \`from\`.`,
  })
  @IsOptional()
  @IsIsoTimestamp()
  to?: string;
}

export class SlotAvailabilityDto {
  @ApiProperty({ format: 'uuid', description: 'Pass as `timeSlotId` when holding.' })
  id!: string;

  @ApiProperty({ example: '2026-07-01T09:00:00.000Z' })
  startsAt!: Date;

  @ApiProperty({ example: '2026-07-01T11:00:00.000Z' })
  endsAt!: Date;

  @ApiProperty({ example: 12 })
  capacity!: number;

  @ApiProperty({ example: 5, description: 'Places that can be held now.' })
  placesLeft!: number;

  @ApiProperty({ enum: SLOT_STATUSES, example: 'open' })
  status!: SlotStatus;
}

/** An experience: its open, not yet started slots that start in `[from, to)`, earliest first. */
export class ExperienceAvailabilityDto {
  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ enum: ['experience'] })
  kind!: 'experience';

  @ApiProperty({ type: [SlotAvailabilityDto] })
  slots!: SlotAvailabilityDto[];
}

/** Where an external offering's figures come from: the inventory system now, or its last answer (at most 60 s old). */
export class ExternalFreshnessDto {
  @ApiProperty({ example: false, description: 'True when the inventory system did not answer and this is its last answer.' })
  cached!: boolean;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z', description: 'When the inventory system gave these figures.' })
  asOf!: string;
}

export class SkuAvailabilityDto {
  @ApiProperty({ example: 'CARRIER-M-BLUE', description: 'Pass as `sku` when holding.' })
  sku!: string;

  @ApiProperty({ example: 18, description: 'Units that can be held now.' })
  available!: number;
}

/** A product: stock left per SKU (the window does not apply). */
export class ProductAvailabilityDto {
  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ enum: ['product'] })
  kind!: 'product';

  @ApiProperty({ type: [SkuAvailabilityDto] })
  stock!: SkuAvailabilityDto[];

  @ApiPropertyOptional({
    type: ExternalFreshnessDto,
    description: "External offerings: how fresh the inventory system's answer is.",
  })
  external?: ExternalFreshnessDto;
}

export class UnitAvailabilityDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Van 3' })
  label!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Renault Trafic', description: 'Vehicles: make and model.' })
  model!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 9, description: 'Vehicles: seats, the driver included.' })
  seats!: number | null;

  @ApiProperty({ enum: VEHICLE_ENERGIES, nullable: true, example: 'fuel', description: 'Vehicles: what it runs on.' })
  energy!: VehicleEnergy | null;

  @ApiProperty({
    description:
      'In service (ours and, for vehicles, the fleet: not in maintenance or out of service) and not rented or held for ' +
      'any part of `[from, to)`.',
  })
  available!: boolean;
}

/** A rental: which units (retired ones left out) are free for the whole of `[from, to)`. */
export class RentalAvailabilityDto {
  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ enum: ['rental'] })
  kind!: 'rental';

  @ApiProperty({ example: '2026-07-01T00:00:00.000Z' })
  from!: Date;

  @ApiProperty({ example: '2026-07-08T00:00:00.000Z' })
  to!: Date;

  @ApiProperty({ type: [UnitAvailabilityDto] })
  units!: UnitAvailabilityDto[];

  @ApiProperty({ example: 2, description: 'How many units are available for the whole window.' })
  availableUnits!: number;

  @ApiPropertyOptional({
    type: ExternalFreshnessDto,
    description: "External offerings: how fresh the inventory system's answer is.",
  })
  external?: ExternalFreshnessDto;
}

export type AvailabilityDto = ExperienceAvailabilityDto | ProductAvailabilityDto | RentalAvailabilityDto;
