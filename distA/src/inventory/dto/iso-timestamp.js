import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';
/**
 * A calendar date (`2026-07-01`, read as UTC midnight) or a date-time WITH a zone
 * (`2026-07-01T09:00:00Z`, `...+02:00`). A date-time without a zone is refused: the
 * server would read it in its own local time, which is never what the caller meant.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
export const ISO_TIMESTAMP_HINT = 'an ISO 8601 date (2026-07-01) or date-time with a zone (2026-07-01T09:00:00Z)';
/** Validates a string as {@link ISO_TIMESTAMP}; the DTO keeps the string, services turn it into a Date. */
export function IsIsoTimestamp() {
    return applyDecorators(IsISO8601({ strict: true }, { message: `$property must be ${ISO_TIMESTAMP_HINT}` }), Matches(ISO_TIMESTAMP, { message: `$property must be ${ISO_TIMESTAMP_HINT}` }));
}
//# sourceMappingURL=iso-timestamp.js.map