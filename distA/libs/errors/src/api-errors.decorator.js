import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS } from './error-codes.js';
import { ErrorResponseDto } from './error-response.dto.js';
/**
 * Documents the error responses a route can give, grouped by status, each with the
 * shared envelope schema: `@ApiErrors('VALIDATION_FAILED', 'NOT_ENOUGH_CAPACITY')`.
 */
export function ApiErrors(...codes) {
    const byStatus = new Map();
    for (const code of codes) {
        const status = ERROR_STATUS[code];
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    return applyDecorators(...[...byStatus.entries()].map(([status, list]) => ApiResponse({ status, description: list.join(' | '), type: ErrorResponseDto })));
}
//# sourceMappingURL=api-errors.decorator.js.map