import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';

export const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
export const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

/**
 * An integer variable from `min` to `max`, given as a string (blank or unset keeps the
 * default): `@Transform(toInt) @IsInt() @Min(min) @Max(max)`, applied in the order that
 * stack applies (bottom up), so its messages keep their order.
 */
export function IntInRange(min: number, max: number): PropertyDecorator {
  const decorators: PropertyDecorator[] = [Max(max), Min(min), IsInt(), Transform(toInt)];
  return (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };
}

/** A string variable that `parse` accepts; the message names the variable and what `parse` found wrong. */
export function Parses(parse: (value: string) => unknown): PropertyDecorator {
  return ValidateBy({
    name: 'parses',
    validator: {
      validate: (value: unknown) => {
        if (value === undefined) return true; // reported as missing by the rule that requires it
        try {
          parse(String(value));
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => {
        try {
          parse(String(args?.value));
          return `${args?.property} is not valid`;
        } catch (error) {
          return `${args?.property} ${(error as Error).message}`;
        }
      },
    },
  });
}

/** What `fn` returns, or `fallback` if it throws (a value whose format is reported elsewhere). */
export function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
