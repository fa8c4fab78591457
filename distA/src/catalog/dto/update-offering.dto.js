import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateOfferingDto } from './create-offering.dto.js';
/**
 * Body of `PATCH /v1/admin/offerings/{id}`: any field of the create body but `kind`,
 * which cannot change (sending it fails as an unknown field). Absent fields keep their
 * value; `pricingRules`, when sent, replaces the rules whole (`{}` removes them all);
 * `refundableUntilHours: null` means never refundable. Null is refused for the other fields
 * (`skipNullProperties: false`).
 */
export class UpdateOfferingDto extends PartialType(OmitType(CreateOfferingDto, ['kind']), {
    skipNullProperties: false,
}) {
}
//# sourceMappingURL=update-offering.dto.js.map