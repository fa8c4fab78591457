export { AppError } from './app-error.js';
export { ERROR_CODES, ERROR_STATUS } from './error-codes.js';
export { ErrorResponseDto, ErrorDetailDto } from './error-response.dto.js';
export { ApiErrors } from './api-errors.decorator.js';
export { AllExceptionsFilter } from './all-exceptions.filter.js';
export { createValidationPipe, flattenValidationErrors } from './validation.js';
//# sourceMappingURL=index.js.map