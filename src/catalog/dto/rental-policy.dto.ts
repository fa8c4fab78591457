import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { canonicalTimeZone, type RentalPolicy, TIME_OF_DAY } from '../rental-policy';
import { MAX_PRICE_MINOR } from './pricing-rules.dto';

/** The most hours before pickup a free cancellation can be (a year). */
const MAX_HOURS = 8760;
/** The most kilometres a day's allowance can be. */
const MAX_KM_PER_DAY = 10_000;

/** An IANA time zone this runtime knows (checked with Intl). */
function IsIanaTimeZone(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && canonicalTimeZone(value) !== null,
        defaultMessage: () => `${String(propertyName)} must be an IANA time zone such as Europe/Paris`,
      },
    });
  };
}

/** A non-negative amount of money, in minor units of the offering's currency. */
function Money(example: number, description: string): PropertyDecorator {
  const decorators = [
    ApiProperty({
      example,
      minimum: 0,
      maximum: MAX_PRICE_MINOR,
      description: `${description} Minor units of the offering's currency.`,
    }),
    IsInt(),
    Min(0),
    Max(MAX_PRICE_MINOR),
  ];
  return (target, propertyName) => decorators.forEach((decorate) => decorate(target, propertyName));
}

/**
 * How a vehicle offering is rented (DESIGN.md section 12). Every field is required and
 * unknown fields are refused; sent on create or change, it replaces the policy whole.
 * Times of day are wall-clock times in `timeZone`; a rental from `startDate` to `endDate`
 * runs from `pickupTime` on the first day to `returnTime` on the last, and `returnTime`
 * may not be after `pickupTime` (the next renter may pick the vehicle up the day it comes
 * back).
 */
export class RentalPolicyDto implements RentalPolicy {
  @ApiProperty({ example: '10:00', pattern: TIME_OF_DAY.source, description: 'Pickup time on the first day, `HH:MM` (24 h).' })
  @IsString()
  @Matches(TIME_OF_DAY, { message: 'pickupTime must be HH:MM (00:00 to 23:59)' })
  pickupTime!: string;

  @ApiProperty({
    example: '09:00',
    pattern: TIME_OF_DAY.source,
    description: 'Return time on the last day, `HH:MM` (24 h); not after `pickupTime`.',
  })
  @IsString()
  @Matches(TIME_OF_DAY, { message: 'returnTime must be HH:MM (00:00 to 23:59)' })
  returnTime!: string;

  @ApiProperty({
    example: 'Europe/Paris',
    maxLength: 64,
    description: 'IANA time zone of the pickup and return times; stored in its canonical spelling.',
  })
  @IsString()
  @MaxLength(64)
  @IsIanaTimeZone()
  timeZone!: string;

  @Money(50000, 'Authorised on the card on top of the price, released at the end less what is due.')
  deposit!: number;

  @Money(5000, 'Kept when a booking is cancelled later than `freeCancellationHours` before pickup.')
  cancellationFee!: number;

  @ApiProperty({
    example: 48,
    minimum: 0,
    maximum: MAX_HOURS,
    description: 'Hours before pickup until which cancelling is free.',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_HOURS)
  freeCancellationHours!: number;

  @Money(2500, 'Per started hour late, after a 30-minute grace.')
  lateFeePerHour!: number;

  @Money(150, 'Per percent of fuel or charge missing against the pickup reading.')
  refuelFeePerPercent!: number;

  @ApiProperty({ example: 250, minimum: 0, maximum: MAX_KM_PER_DAY, description: 'Kilometres included per rental day.' })
  @IsInt()
  @Min(0)
  @Max(MAX_KM_PER_DAY)
  kmAllowancePerDay!: number;

  @Money(30, 'Per kilometre over the allowance.')
  feePerExtraKm!: number;
}
