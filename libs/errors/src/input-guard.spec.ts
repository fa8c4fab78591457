import { describe, expect, it } from '@jest/globals';
import { AppError } from './app-error';
import { MAX_INPUT_DEPTH, assertCleanInput, findHostileInput } from './input-guard';
import { createValidationPipe } from './validation';

/** `{a:{a:{...}}}`: `depth` objects, the outermost being level 1. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('findHostileInput', () => {
  it('finds nothing in clean input of any shape', () => {
    expect(findHostileInput({ name: 'Ann', tags: ['a', 'b'], n: 1, ok: true, none: null, deep: { x: [{ y: 'z' }] } })).toEqual(
      [],
    );
    expect(findHostileInput('text')).toEqual([]);
    expect(findHostileInput(undefined)).toEqual([]);
  });

  it('names every string holding a NUL by its path, in arrays and nested objects', () => {
    expect(
      findHostileInput({ guestName: 'A\u0000', items: [{ sku: 'ok' }, { sku: '\u0000' }], meta: { a: { b: 'x\u0000y' } } }),
    ).toEqual([
      { field: 'guestName', message: 'guestName must not contain a NUL character' },
      { field: 'items.1.sku', message: 'items.1.sku must not contain a NUL character' },
      { field: 'meta.a.b', message: 'meta.a.b must not contain a NUL character' },
    ]);
  });

  it('finds a NUL in an object key, and never echoes the raw character', () => {
    const [problem] = findHostileInput({ attributes: { ['k\u0000ey']: 1 } });
    expect(problem.field).toBe('attributes');
    expect(problem.message).toContain('k\\u0000ey');
    expect(problem.message).not.toContain('\u0000');
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, without walking further`, () => {
    expect(findHostileInput(nested(MAX_INPUT_DEPTH))).toEqual([]);
    const problems = findHostileInput(nested(MAX_INPUT_DEPTH + 1));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain(`more than ${MAX_INPUT_DEPTH} levels`);
    // 100,000 levels: no stack overflow, since the walk stops at the limit.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findHostileInput(deep)).toHaveLength(1);
  });

  it('lists at most 20 problems', () => {
    expect(findHostileInput(Array.from({ length: 100 }, () => '\u0000'))).toHaveLength(20);
  });

  it('assertCleanInput throws VALIDATION_FAILED with the problems as details, under a prefix', () => {
    expect(() => assertCleanInput({ b: '\u0000' }, 'body')).toThrow(AppError);
    try {
      assertCleanInput({ b: '\u0000' }, 'body');
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'body.b' }] });
    }
  });
});

describe('the validation pipe applies the same rules to every argument', () => {
  const pipe = createValidationPipe();

  it('refuses a route parameter with a NUL, named by the parameter', async () => {
    await expect(pipe.transform('abc\u0000', { type: 'param', metatype: String, data: 'id' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'id', message: 'id must not contain a NUL character' }],
    });
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });
});
