import { ApiProperty } from '@nestjs/swagger';
import { PaginationDto } from '@holdfast/pagination';
import { INVENTORY_SOURCES, type InventorySource, OFFERING_KINDS, type OfferingKind } from '../offering.entity';
import { PricingRulesDto } from './pricing-rules.dto';
import { RentalPolicyDto } from './rental-policy.dto';

/** An offering as the API shows it (public browse and admin alike). */
export class OfferingDto {
  @ApiProperty({ format: 'uuid', example: '3f0c6f0e-2a51-4d5e-9a8b-1c2d3e4f5a6b' })
  id!: string;

  @ApiProperty({ enum: OFFERING_KINDS, example: 'experience' })
  kind!: OfferingKind;

  @ApiProperty({ example: 'Sunset kayak tour' })
  title!: string;

  @ApiProperty({ example: 'Two hours along the coast with a guide; all equipment included.' })
  description!: string;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 code.' })
  currency!: string;

  @ApiProperty({ example: 10000, description: 'Minor units: per guest (experience), per unit (product) or per day (rental).' })
  basePrice!: number;

  @ApiProperty({ example: true })
  active!: boolean;

  @ApiProperty({
    example: true,
    description:
      'Whether a hold may be placed on it now: it is active and, for an external offering, the inventory system answers.',
  })
  orderable!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'Why it is not orderable: `INACTIVE`, or `INVENTORY_UNAVAILABLE` (the inventory system is down); null when orderable.',
  })
  unavailableReason!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 1200, description: 'Shipping weight of one unit in grams (products).' })
  weightGrams!: number | null;

  @ApiProperty({ enum: INVENTORY_SOURCES, example: 'internal' })
  inventorySource!: InventorySource;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: "The inventory system's item id (external offerings).",
  })
  externalItemId!: string | null;

  @ApiProperty({
    type: PricingRulesDto,
    example: {
      groupDiscount: { minQuantity: 2, percentOff: 15, type: 'group_5_plus' },
      earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' },
    },
  })
  pricingRules!: PricingRulesDto;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 48,
    description: 'Hours before the start with a full refund; null: never.',
  })
  refundableUntilHours!: number | null;

  @ApiProperty({ type: [String], example: ['https://cdn.example.com/offerings/kayak-1.jpg'] })
  images!: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, example: { durationMinutes: 120 } })
  attributes!: Record<string, unknown>;

  @ApiProperty({ example: false, description: 'A vehicle rental: its units are vehicles (plate, model, seats, energy).' })
  vehicle!: boolean;

  @ApiProperty({
    type: RentalPolicyDto,
    nullable: true,
    description: 'Pickup and return times, time zone, deposit and fees (vehicles; null when there is none).',
  })
  rentalPolicy!: RentalPolicyDto | null;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T12:00:00.000Z' })
  updatedAt!: string;
}

export class OfferingListDto {
  @ApiProperty({ type: [OfferingDto] })
  offerings!: OfferingDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}
