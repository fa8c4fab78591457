export { AppError, type ErrorDetail } from './app-error';
export { ERROR_CODES, ERROR_STATUS, type ErrorCode } from './error-codes';
export { ErrorResponseDto, ErrorDetailDto } from './error-response.dto';
export { ApiErrors } from './api-errors.decorator';
export { AllExceptionsFilter, UNAVAILABLE_ERRORS, type UnavailablePredicate } from './all-exceptions.filter';
export { createValidationPipe, flattenValidationErrors } from './validation';
export { REDACTED, redactUrl } from './redact-url';
