import { describe, expect, it } from '@jest/globals';
import { buildSchema, type GraphQLSchema, parse, specifiedRules, validate } from 'graphql';
import { costLimitPlugin, depthLimitRule } from './query-limits';

const schema = buildSchema(`
  input PageInput { limit: Int, offset: Int }
  type Payment { id: ID!, amount: Int! }
  type Item { id: ID!, payments: [Payment!]! }
  type Page { items: [Item!]!, total: Int! }
  type Query { page(page: PageInput): Page!, jobs(page: PageInput): [Item!]!, one: Item }
`);

const depthErrors = (query: string, max: number) =>
  validate(schema, parse(query), [...specifiedRules, depthLimitRule(max)]).map((e) => e.message);

/** The cost plugin's verdict on a query: null when allowed, else its message. */
async function costVerdict(query: string, max: number, variables: Record<string, unknown> = {}, s: GraphQLSchema = schema) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  const hooks = await costLimitPlugin(max).requestDidStart!({} as never);
  try {
    await hooks!.didResolveOperation!({ document, operation, schema: s, request: { variables } } as never);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('query limits', () => {
  it('measures depth through fragments where they are spread, and refuses only past the limit', () => {
    const query = '{ page { items { ...I } } } fragment I on Item { payments { id } }'; // 4 deep
    expect(depthErrors(query, 4)).toEqual([]);
    expect(depthErrors(query, 3)).toEqual(['The query is 4 fields deep; at most 3 are allowed']);
    expect(depthErrors('{ one { ... on Item { id } } }', 2)).toEqual([]); // an inline fragment adds no level
    expect(depthErrors('{ __schema { types { fields { type { ofType { name } } } } } }', 2)).toEqual([]); // introspection
  });

  it('prices a list by the page above it, from a literal or the variables, else 20; an unpaged nested list at 5', async () => {
    // page(limit 10) { items (x10) { id payments (x5) { id amount } } }: 1 + 1 + 10 * (1 + 1 + 5 * 2) = 122
    const literal = '{ page(page: { limit: 10 }) { items { id payments { id amount } } } }';
    expect(await costVerdict(literal, 122)).toBeNull();
    expect(await costVerdict(literal, 121)).toBe('The query costs 122; at most 121 is allowed');
    const variable = 'query ($p: PageInput) { page(page: $p) { items { id } } }'; // 1 + 1 + n * 1
    expect(await costVerdict(variable, 52, { p: { limit: 50 } })).toBeNull();
    expect(await costVerdict(variable, 51, { p: { limit: 50 } })).toBe('The query costs 52; at most 51 is allowed');
    expect(await costVerdict(variable, 22)).toBeNull(); // no page given: the default page of 20
    expect(await costVerdict(variable, 21)).toBe('The query costs 22; at most 21 is allowed');
    // A list field sized by its own page (jobs(page) is the list): 1 + 3 * 1
    expect(await costVerdict('{ jobs(page: { limit: 3 }) { id } }', 4)).toBeNull();
    expect(await costVerdict('{ jobs(page: { limit: 3 }) { id } }', 3)).toBe('The query costs 4; at most 3 is allowed');
    // Asking for more than a page may hold is priced at the largest page (100).
    expect(await costVerdict('{ jobs(page: { limit: 5000 }) { id } }', 101)).toBeNull();
  });
});
