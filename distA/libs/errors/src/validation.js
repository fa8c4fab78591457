import { ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error.js';
/** Flattens class-validator's tree into `{ field: 'items.0.quantity', message }` rows. */
export function flattenValidationErrors(errors, parent = '') {
    const out = [];
    for (const error of errors) {
        const field = parent ? `${parent}.${error.property}` : error.property;
        for (const message of Object.values(error.constraints ?? {})) {
            out.push({ field, message });
        }
        if (error.children?.length)
            out.push(...flattenValidationErrors(error.children, field));
    }
    return out;
}
/**
 * The global pipe: strips nothing silently (unknown fields are an error), converts
 * query strings to the DTO's types, and fails with VALIDATION_FAILED and per-field details.
 */
export function createValidationPipe() {
    return new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        transformOptions: { enableImplicitConversion: false },
        stopAtFirstError: false,
        exceptionFactory: (errors) => new AppError('VALIDATION_FAILED', 'The request is not valid', flattenValidationErrors(errors)),
    });
}
//# sourceMappingURL=validation.js.map