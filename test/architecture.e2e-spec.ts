import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { IS_PUBLIC, ROLES } from '../src/auth/auth.decorators';
import { buildOpenApiDocument } from '../src/swagger';
import { createTestApp, type TestApp } from './support/test-app';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const ROOT = process.cwd(); // jest runs from the repository root

interface Operation {
  route: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

function operations(document: OpenAPIObject): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (op) out.push({ route: `${method.toUpperCase()} ${path}`, ...(op as Omit<Operation, 'route'>) });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The house rules a machine can check (STYLE.md rule 10): every route documents its
 * summary, auth and errors; admin routes need the admin role; modules depend one way.
 */
describe('architecture', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  beforeAll(async () => {
    t = await createTestApp();
    document = buildOpenApiDocument(t.app);
  });
  afterAll(async () => t.close());

  it('documents every route with a summary and a tag', () => {
    const missing = operations(document).filter((op) => !op.summary || !op.tags?.length);
    expect(missing.map((op) => op.route)).toEqual([]);
  });

  it('documents the error envelope on every route that can fail', () => {
    const withoutErrors = operations(document)
      .filter((op) => !op.route.includes(' /health/'))
      .filter((op) =>
        Object.entries(op.responses).every(
          ([status, response]) =>
            Number(status) < 400 ||
            response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponseDto',
        ),
      );
    expect(withoutErrors.map((op) => op.route)).toEqual([]);
  });

  it('documents 401 on every route that needs a token, and no token on public ones', () => {
    for (const op of operations(document)) {
      const isPublic = op.security?.some((requirement) => Object.keys(requirement).length === 0) ?? false;
      expect({ route: op.route, documents401: Boolean(op.responses['401']) }).toEqual({
        route: op.route,
        documents401: !isPublic,
      });
    }
  });

  it('guards every route unless it is explicitly public, and requires the admin role under /admin', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    const problems: string[] = [];
    let routes = 0;
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const controllerPath = String(Reflect.getMetadata('path', wrapper.metatype) ?? '');
      for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const handler = instance[name] as () => unknown;
        const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        routes++;
        const path = `${controllerPath}/${String(Reflect.getMetadata('path', handler) ?? '')}`;
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, wrapper.metatype]) ?? false;
        const roles = reflector.getAllAndOverride<string[]>(ROLES, [handler, wrapper.metatype]) ?? [];
        if (/^\/?admin/.test(path) && !roles.includes('admin'))
          problems.push(`${RequestMethod[method]} ${path}: admin route without @Roles('admin')`);
        if (/^\/?admin/.test(path) && isPublic) problems.push(`${RequestMethod[method]} ${path}: admin route is @Public()`);
      }
    }
    expect(routes).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('keeps module dependencies one way, with no barrels and no forwardRef', () => {
    // Which src/ module may import from which (DESIGN.md section 2). Cross-cutting
    // folders (auth, config, database, health, cli) are importable by all.
    const allowed: Record<string, string[]> = {
      catalog: [],
      inventory: ['catalog'],
      payments: [],
      reservations: ['payments', 'inventory', 'catalog'],
      webhooks: ['payments'],
    };
    const domain = Object.keys(allowed);
    const problems: string[] = [];
    for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'libs'))]) {
      const rel = relative(ROOT, file);
      const text = readFileSync(file, 'utf8');
      if (/\bforwardRef\s*\(/.test(text)) problems.push(`${rel}: forwardRef`);
      if (rel.startsWith('src/') && rel.endsWith('/index.ts')) problems.push(`${rel}: barrel file inside src/`);
      if (rel.startsWith('libs/') && /from '\.\.\/\.\.\/\.\.\/src\//.test(text)) problems.push(`${rel}: a lib imports app code`);
      const [, from] = rel.split('/');
      if (!rel.startsWith('src/') || !domain.includes(from)) continue;
      for (const [, target] of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) {
        if (domain.includes(target) && target !== from && !allowed[from].includes(target)) {
          problems.push(`${rel}: ${from} must not depend on ${target}`);
        }
      }
      // Type-only imports carry no runtime dependency on another module's internals.
      const valueImports = text.replace(/^import type [^;]+;$/gms, '');
      for (const [, target, file2] of valueImports.matchAll(/from '\.\.\/([a-z-]+)\/([^']+)'/g)) {
        // An entity may reference an entity of a module it depends on (a foreign key);
        // nothing else reaches into another module's entities or repositories.
        const entityRelation = rel.endsWith('.entity.ts') && /\.entity$/.test(file2) && allowed[from].includes(target);
        if (domain.includes(target) && /\.(entity|repository)$/.test(file2) && !entityRelation) {
          problems.push(`${rel}: reaches into ${target}/${file2}; use its service`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("keeps each module's SQL to its own tables (others are reached through their services)", () => {
    // Which module owns each table: only its code may name the table in SQL.
    const owner: Record<string, string> = {
      offerings: 'src/catalog',
      time_slots: 'src/inventory',
      stock_items: 'src/inventory',
      rental_units: 'src/inventory',
      allocations: 'src/inventory',
      reservations: 'src/reservations',
      reservation_items: 'src/reservations',
      payments: 'src/payments',
      refunds: 'src/payments',
      payment_customers: 'src/payments',
      saved_payment_methods: 'src/payments',
      webhook_events: 'src/webhooks',
      idempotency_keys: 'libs/idempotency',
    };
    // Known, named departures still to be moved behind a service (file: tables). Keep
    // this list short and shrinking; an entry that no longer applies fails the test too.
    const knownExceptions: Record<string, string[]> = {};
    const tables = Object.keys(owner).join('|');
    // A table named where SQL names tables: FROM, JOIN, INTO, UPDATE, TABLE (keywords in capitals, as our SQL writes them).
    const sqlTable = new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+(?:ONLY\\s+)?"?(${tables})"?\\b`, 'g');
    const moduleOf = (rel: string) => rel.split('/').slice(0, 2).join('/');
    const found: Record<string, string[]> = {};
    const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'libs'))].filter(
      (file) => !/\.(spec|e2e-spec)\.ts$/.test(file) && !file.includes('/migrations/'),
    );
    for (const file of files) {
      const rel = relative(ROOT, file);
      // Comments may speak of other modules' tables; only code counts.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const [, table] of code.matchAll(sqlTable)) {
        if (owner[table] !== moduleOf(rel) && !found[rel]?.includes(table)) (found[rel] ??= []).push(table);
      }
    }
    const problems = Object.entries(found).flatMap(([rel, named]) =>
      named
        .filter((table) => !knownExceptions[rel]?.includes(table))
        .map((table) => `${rel}: names ${table}, a table of ${owner[table]}; call its service`),
    );
    const stale = Object.entries(knownExceptions).flatMap(([rel, named]) =>
      named.filter((table) => !found[rel]?.includes(table)).map((table) => `${rel}: ${table} is no longer named; drop the exception`),
    );
    expect([...problems, ...stale]).toEqual([]);
  });

  it('runs raw SQL through TransactionHost.rows only, never EntityManager.query (docs/development.md "One way to run SQL")', () => {
    // Outside the app, with no TransactionHost: the migration runner, the invariants CLI
    // (a REPEATABLE READ, READ ONLY transaction of its own) and the audit it shares with
    // InvariantsService, and the health probe's `SELECT 1` on the pool.
    const exceptions = new Set([
      'src/cli/migrate.ts',
      'src/cli/invariants.ts',
      'src/inventory/invariants.ts',
      'src/health/database.health.ts',
    ]);
    const root = ROOT;
    const offenders = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'libs'))]
      .map((path) => relative(root, path))
      .filter((rel) => !rel.endsWith('.spec.ts') && !exceptions.has(rel) && rel !== 'libs/database/src/transactions.ts')
      .filter((rel) => /\b(manager|dataSource|queryRunner)\s*\.\s*query\s*\(/.test(readFileSync(join(root, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
