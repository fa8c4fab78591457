export { AppError, type ErrorDetail } from './app-error';
export { ERROR_CODES, ERROR_STATUS, type ErrorCode } from './error-codes';
export { ErrorResponseDto, ErrorDetailDto } from './error-response.dto';
export { ApiErrors } from './api-errors.decorator';
export { AllExceptionsFilter, UNAVAILABLE_ERRORS, type UnavailablePredicate } from './all-exceptions.filter';
export { createValidationPipe, flattenValidationErrors, Trim, type FastAcceptor } from './validation';
export { MAX_INPUT_DEPTH, assertCleanInput, findHostileInput, nestedDeeperThan, rejectHostileInput } from './input-guard';
export { REDACTED, redactUrl } from './redact-url';
