import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { AppError, type ErrorDetail } from './app-error';
import { assertCleanInput } from './input-guard';

/** Flattens class-validator's tree into `{ field: 'items.0.quantity', message }` rows. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ field, message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/**
 * Trims a string property before it is validated, so `@MinLength(1)` means "some
 * content": a name of spaces is refused, and `"  Ann "` is stored as `"Ann"`.
 * Anything but a string is left for the type validators to refuse.
 */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Applies the rules every input obeys (`findHostileInput`: no NUL character anywhere,
 * no absurd nesting) to every argument, DTO or not (route parameters included), before
 * class-transformer walks it.
 */
class GuardedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') assertCleanInput(value, metadata.data ?? '');
    return (await super.transform(value, metadata)) as unknown;
  }
}

/**
 * The global pipe: strips nothing silently (unknown fields are an error), converts
 * query strings to the DTO's types, and fails with VALIDATION_FAILED and per-field details.
 */
export function createValidationPipe(): ValidationPipe {
  return new GuardedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new AppError('VALIDATION_FAILED', 'The request is not valid', flattenValidationErrors(errors)),
  });
}
