import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@nestjs/common';
import { Type, plainToInstance } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { AppError } from './app-error';
import { createValidationPipe, flattenValidationErrors } from './validation';

class LineDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

class GuestDto {
  @IsString()
  name!: string;
}

class OrderDto {
  @IsString()
  reference!: string;

  @ValidateNested()
  @Type(() => GuestDto)
  guest!: GuestDto;

  @ValidateNested({ each: true })
  @Type(() => LineDto)
  items!: LineDto[];
}

function validate(plain: object): ValidationError[] {
  return validateSync(plainToInstance(OrderDto, plain)) as ValidationError[];
}

describe('flattenValidationErrors', () => {
  it('gives each top-level problem its own row named by the property', () => {
    const rows = flattenValidationErrors(validate({ reference: 7, guest: { name: 'Ann' }, items: [] }));
    expect(rows).toEqual([{ field: 'reference', message: 'reference must be a string' }]);
  });

  it('names nested fields by their path, array indexes included', () => {
    const rows = flattenValidationErrors(
      validate({
        reference: 'R-1',
        guest: { name: 5 },
        items: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 0 },
          { sku: 3, quantity: 2.5 },
        ],
      }),
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { field: 'guest.name', message: 'name must be a string' },
        { field: 'items.1.quantity', message: 'quantity must not be less than 1' },
        { field: 'items.2.sku', message: 'sku must be a string' },
        { field: 'items.2.quantity', message: 'quantity must be an integer number' },
      ]),
    );
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.field)).not.toContain('items.0.quantity');
  });

  it('keeps every message of a field that breaks several rules', () => {
    const rows = flattenValidationErrors(
      validate({ reference: 'R', guest: { name: 'A' }, items: [{ sku: 'A', quantity: 'x' }] }),
    );
    expect(rows.filter((r) => r.field === 'items.0.quantity').map((r) => r.message)).toEqual(
      expect.arrayContaining(['quantity must be an integer number', 'quantity must not be less than 1']),
    );
  });

  it('walks a hand-built tree, prefixing a parent path when given one', () => {
    const tree = [
      {
        property: 'a',
        constraints: { isString: 'a must be a string' },
        children: [
          {
            property: '0',
            children: [{ property: 'b', constraints: { min: 'b too small', isInt: 'b not an integer' }, children: [] }],
          },
        ],
      },
    ] as ValidationError[];
    expect(flattenValidationErrors(tree, 'body')).toEqual([
      { field: 'body.a', message: 'a must be a string' },
      { field: 'body.a.0.b', message: 'b too small' },
      { field: 'body.a.0.b', message: 'b not an integer' },
    ]);
    expect(flattenValidationErrors([])).toEqual([]);
  });
});

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const metadata = { type: 'body' as const, metatype: OrderDto, data: '' };

  it('transforms a valid body into the DTO classes', async () => {
    const value = await pipe.transform({ reference: 'R', guest: { name: 'A' }, items: [{ sku: 'A', quantity: 1 }] }, metadata);
    expect(value).toBeInstanceOf(OrderDto);
    expect((value as OrderDto).items[0]).toBeInstanceOf(LineDto);
  });

  it('fails with AppError VALIDATION_FAILED listing unknown fields, nested ones by path', async () => {
    const error = await pipe
      .transform({ reference: 'R', guest: { name: 'A', vip: true }, items: [{ sku: 'A', quantity: 1 }], admin: 1 }, metadata)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect((error as AppError).details).toEqual(
      expect.arrayContaining([
        { field: 'admin', message: 'property admin should not exist' },
        { field: 'guest.vip', message: 'property vip should not exist' },
      ]),
    );
  });
});

describe('createValidationPipe with a fast path', () => {
  const seen: unknown[] = [];
  /** Accepts a body with reference 'FAST' only, marking the instance so the test can tell who built it. */
  const acceptFast = (body: unknown): object | null => {
    seen.push(body);
    return (body as { reference?: unknown }).reference === 'FAST'
      ? Object.assign(new GuestDto(), { name: 'built by the acceptor' })
      : null;
  };
  const pipe = createValidationPipe(new Map([[OrderDto, acceptFast]]));
  const metadata = { type: 'body' as const, metatype: OrderDto, data: '' };
  const valid = { reference: 'R', guest: { name: 'A' }, items: [{ sku: 'A', quantity: 1 }] };

  it("returns the acceptor's instance for a body it accepts, without class-validator", async () => {
    expect(await pipe.transform({ reference: 'FAST' }, metadata)).toEqual({ name: 'built by the acceptor' });
  });

  it('validates a body the acceptor declines as before: accepted or refused by class-validator', async () => {
    expect(await pipe.transform(valid, metadata)).toBeInstanceOf(OrderDto);
    await expect(pipe.transform({ ...valid, admin: 1 }, metadata)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'admin', message: 'property admin should not exist' }],
    });
  });

  it('refuses a NUL before the acceptor sees the body, and never asks it about queries or other DTOs', async () => {
    seen.length = 0;
    await expect(pipe.transform({ reference: 'FAST\u0000' }, metadata)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await pipe.transform({ reference: 'FAST' }, { ...metadata, type: 'query' })).toBeInstanceOf(OrderDto);
    expect(await pipe.transform({ name: 'Ann' }, { ...metadata, metatype: GuestDto })).toBeInstanceOf(GuestDto);
    expect(seen).toEqual([]);
  });
});
