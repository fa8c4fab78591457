import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';

/** What the admin GraphQL API reads from the validated environment (src/config/config-slices.ts provides it). */
export class AdminGraphqlConfig {
  /** GRAPHQL_MAX_DEPTH: the deepest field nesting a query may have. */
  readonly maxDepth: number;
  /** GRAPHQL_MAX_COST: the most a query may cost (docs/graphql.md, "Limits"). */
  readonly maxCost: number;
  /** Introspection (`__schema`, `__type`): on in development and tests, off with NODE_ENV=production. */
  readonly introspection: boolean;
  /**
   * Where the generated schema is written at start-up: `schema.gql` in the working
   * directory in development (checked in), a file of the process's own in the temp dir
   * under tests (test/admin-graphql-schema.e2e-spec.ts compares it with the checked-in
   * one, so a test run never rewrites the file it checks), and nowhere in production
   * (the schema is built in memory).
   */
  readonly schemaFile: string | null;

  constructor(env: AppConfig) {
    this.maxDepth = env.GRAPHQL_MAX_DEPTH;
    this.maxCost = env.GRAPHQL_MAX_COST;
    const production = env.NODE_ENV === 'production';
    this.introspection = !production;
    this.schemaFile = production
      ? null
      : env.NODE_ENV === 'test'
        ? join(tmpdir(), `holdfast-schema-${process.pid}.gql`)
        : join(process.cwd(), 'schema.gql');
  }
}
