import { isEmail, isInt, isString, isUUID, matches, max, maxLength, min, minLength } from 'class-validator';
import { GUEST_PHONE_PATTERN, HoldRequestDto, MAX_QUANTITY } from './hold.dto';

/**
 * The hold route's fast acceptor (issue 16): the `HoldRequestDto` the validation pipe
 * would return for `body`, built without class-transformer and class-validator's
 * metadata walk, or null when it cannot prove `body` valid. Null is not a refusal: the
 * pipe then runs class-validator as for any other body, and every refusal, with its
 * messages, still comes from there (`createValidationPipe` in libs/errors).
 *
 * It accepts only the ordinary seed form: a plain JSON object whose keys are all
 * declared on the DTO, none null, without `items` (the cart form, whose nested lines it
 * leaves to class-validator), with `guestName` and `guestEmail`. Each rule is the
 * class-validator function the DTO's decorator calls, with the decorator's arguments:
 * hold.dto.ts and this function change together (hold-request.fast.spec.ts compares
 * the DTO's decorators with the list this function was written for, and both paths on
 * thousands of bodies). Like the pipe, it trims `guestName` (`@Trim()`) before checking
 * its length, and copies the keys in the body's order onto `new HoldRequestDto()`,
 * which has no own fields (useDefineForClassFields is off), as plainToInstance does.
 * A string holding a NUL is left to the pipe too, which refuses it (input-guard.ts).
 */
export function acceptHoldRequest(body: unknown): HoldRequestDto | null {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return null;
  const dto = new HoldRequestDto();
  for (const key of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string' ? value.includes('\u0000') : typeof value !== 'number') return null;
    switch (key) {
      case 'experienceId': // @IsOptional() @IsUUID('all')
      case 'timeSlotId':
        if (!isUUID(value, 'all')) return null;
        dto[key] = value as string;
        break;
      case 'numberOfGuests': // @IsOptional() @IsInt() @Min(1) @Max(MAX_QUANTITY)
        if (!isInt(value) || !min(value, 1) || !max(value, MAX_QUANTITY)) return null;
        dto.numberOfGuests = value as number;
        break;
      case 'guestName': {
        // @IsString() @Trim() @MinLength(1) @MaxLength(200): the rules see the trimmed text.
        if (!isString(value)) return null;
        const trimmed = value.trim();
        if (!minLength(trimmed, 1) || !maxLength(trimmed, 200)) return null;
        dto.guestName = trimmed;
        break;
      }
      case 'guestEmail': // @IsEmail() @MaxLength(254)
        if (!isEmail(value) || !maxLength(value, 254)) return null;
        dto.guestEmail = value as string;
        break;
      case 'guestPhone': // @IsOptional() @Matches(GUEST_PHONE_PATTERN); matches() checks the type itself
        if (!matches(value as string, GUEST_PHONE_PATTERN)) return null;
        dto.guestPhone = value as string;
        break;
      case 'specialRequests': // @IsOptional() @IsString() @MaxLength(1000)
        if (!isString(value) || !maxLength(value, 1000)) return null;
        dto.specialRequests = value;
        break;
      default: // `items`, and any key the DTO does not declare
        return null;
    }
  }
  return dto.guestName !== undefined && dto.guestEmail !== undefined ? dto : null;
}
