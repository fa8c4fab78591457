import type { ApolloServerPlugin } from '@apollo/server';
import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLNamedType,
  GraphQLList,
  type GraphQLSchema,
  isObjectType,
  isInterfaceType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './models/common.model';

/** What a list without a page of its own (a reservation's payments, a rental's fines) is assumed to hold. */
export const NESTED_LIST_ESTIMATE = 5;

/** A refusal of a query over a limit: our code, and a 400 (Apollo's default for a plugin's error would be 500). */
export function limitError(message: string, limit: 'depth' | 'cost'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'VALIDATION_FAILED', limit, http: { status: 400 } } });
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** The deepest field nesting of a selection set (introspection's `__` fields are not counted). */
function depthOf(set: SelectionSetNode | undefined, fragments: Fragments, seen: Set<string>): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      const fragment = fragments[selection.name.value];
      const inner = new Set(seen).add(selection.name.value); // a fragment cycle is refused by graphql's own rules
      deepest = Math.max(deepest, depthOf(fragment?.selectionSet, fragments, inner));
    }
  }
  return deepest;
}

/** A validation rule: no operation nests fields deeper than `maxDepth`. */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Fragments = Object.fromEntries(
      context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const depth = depthOf(operation.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`The query is ${depth} fields deep; at most ${maxDepth} are allowed`, {
              nodes: [operation],
              extensions: { code: 'VALIDATION_FAILED', limit: 'depth' },
            }),
          );
        }
      },
    };
  };
}

/** The page size a field's `page` argument asks for: a literal, a variable's value or default, else the largest. */
function pageLimit(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  const page = field.arguments?.find((a) => a.name.value === 'page');
  if (!page) return undefined;
  const asked = limitIn(page.value, variables);
  return typeof asked === 'number' ? Math.min(asked, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
}

function limitIn(value: ValueNode, variables: Record<string, unknown>): unknown {
  if (value.kind === Kind.VARIABLE) return (variables[value.name.value] as { limit?: unknown } | undefined)?.limit;
  if (value.kind !== Kind.OBJECT) return undefined;
  const limit = value.fields.find((f) => f.name.value === 'limit')?.value;
  if (!limit) return undefined;
  if (limit.kind === Kind.INT) return Number(limit.value);
  if (limit.kind === Kind.VARIABLE) return variables[limit.name.value];
  return undefined;
}

/**
 * What a selection costs: each field 1; a list field the cost of what it selects times
 * how many it may hold (the page of the field above it, or NESTED_LIST_ESTIMATE).
 */
function costOf(
  set: SelectionSetNode | undefined,
  type: GraphQLNamedType,
  fragments: Fragments,
  variables: Record<string, unknown>,
  pageSize: number | undefined,
  schema: GraphQLSchema,
): number {
  if (!set || !(isObjectType(type) || isInterfaceType(type))) return 0;
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const definition = type.getFields()[name];
      if (name.startsWith('__') || !definition) continue;
      // A field's `page` sizes the field when it is a list itself (deadJobs), else the lists it holds (a page's items).
      const own = pageLimit(selection, variables);
      const isList = getNullableType(definition.type) instanceof GraphQLList;
      const named = getNamedType(definition.type);
      const inner = costOf(selection.selectionSet, named, fragments, variables, isList ? undefined : own, schema);
      total += 1 + (isList ? (own ?? pageSize ?? NESTED_LIST_ESTIMATE) * inner : inner);
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
      if (!fragment) continue;
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      total += costOf(fragment.selectionSet, condition ?? type, fragments, variables, pageSize, schema);
    }
  }
  return total;
}

/**
 * The cost limit, as an Apollo plugin: it needs the request's variables (a page size is
 * usually one), which validation rules never see. Runs once the operation is known,
 * before any resolver.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request }) {
          const fragments: Fragments = Object.fromEntries(
            document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
          );
          if (!operation) return;
          const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
          if (!root) return;
          const cost = costOf(operation.selectionSet, root, fragments, request.variables ?? {}, undefined, schema);
          if (cost > maxCost) throw limitError(`The query costs ${cost}; at most ${maxCost} is allowed`, 'cost');
        },
      };
    },
  };
}
