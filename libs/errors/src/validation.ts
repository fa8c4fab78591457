import {
  type ArgumentMetadata,
  type Type,
  ValidationPipe,
  type ValidationError,
  type ValidationPipeOptions,
} from '@nestjs/common';
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
 * A body type's fast acceptor: the instance the pipe would return for `body` when it can
 * prove `body` valid, or null to leave the decision to class-validator. It never
 * refuses, so every refusal and its messages still come from the DTO's decorators.
 */
export type FastAcceptor = (body: unknown) => object | null;

/**
 * Applies the rules every input obeys (`findHostileInput`: no NUL character anywhere,
 * no absurd nesting) to every argument, DTO or not (route parameters included), before
 * class-transformer walks it. Then a body whose DTO has a fast acceptor that accepts it
 * is returned as the acceptor built it; anything else goes through class-validator.
 */
class GuardedValidationPipe extends ValidationPipe {
  constructor(
    options: ValidationPipeOptions,
    private readonly fastPaths: ReadonlyMap<Type, FastAcceptor>,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') assertCleanInput(value, metadata.data ?? '');
    if (metadata.type === 'body' && metadata.metatype) {
      const accepted = this.fastPaths.get(metadata.metatype)?.(value);
      if (accepted) return accepted;
    }
    return (await super.transform(value, metadata)) as unknown;
  }
}

/**
 * The global pipe: strips nothing silently (unknown fields are an error), converts
 * query strings to the DTO's types, and fails with VALIDATION_FAILED and per-field details.
 * `fastPaths`: body DTOs with a fast acceptor (the hold's, from app.setup.ts); a body the
 * acceptor declines is validated by class-validator as before (docs/errors.md).
 */
export function createValidationPipe(fastPaths: ReadonlyMap<Type, FastAcceptor> = new Map()): ValidationPipe {
  return new GuardedValidationPipe(
    {
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      stopAtFirstError: false,
      exceptionFactory: (errors) =>
        new AppError('VALIDATION_FAILED', 'The request is not valid', flattenValidationErrors(errors)),
    },
    fastPaths,
  );
}
