import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, Max, Min } from 'class-validator';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** The most a page may hold: the cost rule multiplies a list's selection by its page size. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** A page of a list: `limit` 1..100 (default 20), `offset` from 0. */
@InputType()
export class PageInput {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @Field(() => Int, { defaultValue: 0 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;
}

/** Where a page stands in the whole list (the REST lists' `pagination`). */
@ObjectType()
export class PageInfo {
  @Field(() => Int) total!: number;
  @Field(() => Int) limit!: number;
  @Field(() => Int) offset!: number;
  @Field() hasMore!: boolean;
}

export const pageInfo = (total: number, page: PageInput): PageInfo => ({
  total,
  limit: page.limit,
  offset: page.offset,
  hasMore: page.offset + page.limit < total,
});

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return null;
  }
}

/** Any JSON value: an audit entry's record before and after, a support case's details. Output only. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (an audit record before and after, a support case details)',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});
