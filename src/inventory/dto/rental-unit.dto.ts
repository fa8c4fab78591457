import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Trim } from '@holdfast/errors';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import {
  FLEET_STATUSES,
  type FleetStatus,
  UNIT_STATUSES,
  type UnitStatus,
  VEHICLE_ENERGIES,
  type VehicleEnergy,
} from '../inventory.types';

/** A licence plate: letters and digits, separated by single spaces or hyphens; stored upper-case. */
export const PLATE_PATTERN = /^[A-Z0-9]+(?:[ -][A-Z0-9]+)*$/;
/** The fleet's vehicle id: what its events call `vehicleId` (a plate by default, so spaces are allowed inside). */
export const FLEET_VEHICLE_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._:-]{0,126}[A-Za-z0-9])?$/;

/** Optional, but never null: an absent vehicle field is left out; null means nothing here and is refused. */
const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

const upperCase = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));

/**
 * Body of `POST /v1/admin/offerings/{id}/units`. The vehicle fields are for units of a
 * `vehicle` offering, which need `plate`, `model`, `seats` and `energy`; other rentals'
 * units (carriers) take none of them.
 */
export class CreateRentalUnitDto {
  @ApiProperty({ example: 'Van 3 (AB-123-CD)', minLength: 1, maxLength: 120 })
  @IsString()
  @Trim()
  @MaxLength(120)
  @Matches(/\S/, { message: 'label must not be blank' })
  label!: string;

  @ApiPropertyOptional({
    enum: UNIT_STATUSES,
    default: 'available',
    description: 'Our admin status: only `available` units can be rented.',
  })
  @IsOptional()
  @IsIn(UNIT_STATUSES)
  status?: UnitStatus;

  @ApiPropertyOptional({
    example: 'AB-123-CD',
    maxLength: 16,
    pattern: PLATE_PATTERN.source,
    description: 'Vehicles: the licence plate (letters and digits, single spaces or hyphens between); stored upper-case.',
  })
  @OptionalNotNull()
  @IsString()
  @upperCase()
  @MaxLength(16)
  @Matches(PLATE_PATTERN, { message: 'plate must be letters and digits, with single spaces or hyphens between them' })
  plate?: string;

  @ApiPropertyOptional({ example: 'Renault Trafic', maxLength: 120, description: 'Vehicles: make and model.' })
  @OptionalNotNull()
  @IsString()
  @Trim()
  @MaxLength(120)
  @Matches(/\S/, { message: 'model must not be blank' })
  model?: string;

  @ApiPropertyOptional({ example: 9, minimum: 1, maximum: 99, description: 'Vehicles: seats, the driver included.' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(99)
  seats?: number;

  @ApiPropertyOptional({ enum: VEHICLE_ENERGIES, example: 'fuel', description: 'Vehicles: what it runs on.' })
  @OptionalNotNull()
  @IsIn(VEHICLE_ENERGIES)
  energy?: VehicleEnergy;

  @ApiPropertyOptional({
    example: 'FLEET-0042',
    maxLength: 128,
    pattern: FLEET_VEHICLE_ID_PATTERN.source,
    description:
      "Vehicles: the fleet management service's id of the vehicle (its events' `vehicleId`); unique. Default: the plate.",
  })
  @OptionalNotNull()
  @IsString()
  @Trim()
  @Matches(FLEET_VEHICLE_ID_PATTERN, {
    message: 'fleetVehicleId must be 1 to 128 letters, digits, spaces, dots, colons, underscores or hyphens',
  })
  fleetVehicleId?: string;
}

/** Body of `PUT /v1/admin/rental-units/{unitId}/fleet-status`. */
export class SetFleetStatusDto {
  @ApiProperty({
    enum: FLEET_STATUSES,
    example: 'maintenance',
    description: '`maintenance` and `out_of_service` stop new holds on the unit (and unlocking it); bookings are kept.',
  })
  @IsIn(FLEET_STATUSES)
  status!: FleetStatus;
}

/** A rental unit as admins see it. Vehicle fields are null for units that are not vehicles. */
export class RentalUnitDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ example: 'Van 3 (AB-123-CD)' })
  label!: string;

  @ApiProperty({ enum: UNIT_STATUSES, example: 'available', description: 'Our admin status.' })
  status!: UnitStatus;

  @ApiProperty({ type: String, nullable: true, example: 'AB-123-CD' })
  plate!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Renault Trafic' })
  model!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 9 })
  seats!: number | null;

  @ApiProperty({ enum: VEHICLE_ENERGIES, nullable: true, example: 'fuel' })
  energy!: VehicleEnergy | null;

  @ApiProperty({ type: String, nullable: true, example: 'AB-123-CD', description: "The fleet's id of the vehicle." })
  fleetVehicleId!: string | null;

  @ApiProperty({
    enum: FLEET_STATUSES,
    example: 'available',
    description: 'What the fleet says (or an admin set); `maintenance` and `out_of_service` are never held.',
  })
  fleetStatus!: FleetStatus;
}
