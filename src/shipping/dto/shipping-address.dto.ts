import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isCountryCode, isValidPostalCode, normalizePostalCode, regionsOf } from '../postal-codes';
import type { ShippingAddress } from '../shipping.types';

/**
 * Control characters (C0, DEL, C1: NUL, tabs, line breaks, escapes) and the bidirectional
 * overrides that make a label print something other than what it holds.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Half of a surrogate pair without the other half: not text, and PostgreSQL would store U+FFFD instead. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** class-validator: a string with no control character or bidi override, and no lone surrogate. */
export function IsPrintableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPrintableText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !UNPRINTABLE.test(value) && !LONE_SURROGATE.test(value),
        defaultMessage: (args) => `${args?.property} must not contain control characters`,
      },
    },
    options,
  );
}

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/**
 * A shipping address (DESIGN.md section 11): where the goods of a reservation go. Strings
 * are trimmed; `country`, `region` and `postalCode` are upper-cased (and the postal code's
 * spaces normalised) before they are checked, so `" sw1a  1aa"` is stored as `"SW1A 1AA"`.
 */
export class ShippingAddressDto implements ShippingAddress {
  @ApiProperty({ example: 'Ann Example', minLength: 1, maxLength: 100, description: 'Who receives the parcel.' })
  @Transform(trimmed)
  @IsString()
  @Length(1, 100)
  @IsPrintableText()
  name!: string;

  @ApiProperty({ example: '1600 Amphitheatre Parkway', minLength: 1, maxLength: 100 })
  @Transform(trimmed)
  @IsString()
  @Length(1, 100)
  @IsPrintableText()
  line1!: string;

  @ApiPropertyOptional({ example: 'Building 4, floor 2', maxLength: 100 })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @Length(0, 100)
  @IsPrintableText()
  line2?: string;

  @ApiProperty({ example: 'Mountain View', minLength: 1, maxLength: 64 })
  @Transform(trimmed)
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  city!: string;

  @ApiPropertyOptional({
    example: 'CA',
    maxLength: 64,
    description:
      'The state, province or territory: required for US (USPS state codes, DC and territories), CA (provinces) and ' +
      'AU (states), as their post codes it; free text up to 64 characters elsewhere.',
  })
  @Transform(upper)
  @ValidateIf((address: ShippingAddressDto) => regionsOf(address.country) !== null || address.region !== undefined)
  @IsString({ message: 'region is required for this country (its state or province code)' })
  @Length(1, 64)
  @IsPrintableText()
  @ValidateBy({
    name: 'isRegionOfCountry',
    validator: {
      validate: (value: unknown, args) => {
        const regions = regionsOf((args?.object as ShippingAddressDto).country);
        return regions === null || regions.includes(value as string);
      },
      defaultMessage: (args) =>
        `region must be one of ${regionsOf((args?.object as ShippingAddressDto).country)?.join(', ')} for this country`,
    },
  })
  region?: string;

  @ApiProperty({ example: '94043', minLength: 1, maxLength: 16, description: "Checked against the country's format." })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizePostalCode(value) : value))
  @IsString()
  @Length(1, 16)
  @IsPrintableText()
  @ValidateBy({
    name: 'isPostalCodeOfCountry',
    validator: {
      validate: (value: unknown, args) => {
        const { country } = args?.object as ShippingAddressDto;
        return !isCountryCode(country) || isValidPostalCode(country, value as string);
      },
      defaultMessage: (args) => `postalCode is not a postal code of ${(args?.object as ShippingAddressDto).country}`,
    },
  })
  postalCode!: string;

  @ApiProperty({ example: 'US', minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2 country code.' })
  @Transform(upper)
  @IsString()
  @ValidateBy({
    name: 'isCountryCode',
    validator: {
      validate: (value: unknown) => isCountryCode(value),
      defaultMessage: () => 'country must be an ISO 3166-1 alpha-2 country code such as US, GB or DE',
    },
  })
  country!: string;
}
