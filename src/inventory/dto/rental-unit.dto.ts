import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trim } from '@holdfast/errors';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UNIT_STATUSES, type UnitStatus } from '../rental-unit.entity';

/** Body of `POST /v1/admin/offerings/{id}/units`. */
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
    description: 'Only `available` units can be rented.',
  })
  @IsOptional()
  @IsIn(UNIT_STATUSES)
  status?: UnitStatus;
}

/** A rental unit as admins see it. */
export class RentalUnitDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  offeringId!: string;

  @ApiProperty({ example: 'Van 3 (AB-123-CD)' })
  label!: string;

  @ApiProperty({ enum: UNIT_STATUSES, example: 'available' })
  status!: UnitStatus;
}
