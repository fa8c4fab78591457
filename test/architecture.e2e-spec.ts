import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { IS_PUBLIC, ROLES } from '../src/auth/auth.decorators';
import { buildOpenApiDocument } from '../src/swagger';
import { importsOf } from './support/source-imports';
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

// ---- Module seams (STYLE.md rules 5 and 6, DESIGN.md section 2; docs/development.md "Module seams")

/** Modules every module may use (through their public face); they use no domain module themselves. */
const CROSS_CUTTING = ['auth', 'metrics', 'protection'];

/**
 * Every module under src/ and the modules it may import (DESIGN.md section 2's
 * dependency directions): one way, no cycles. A new folder under src/ must be added here
 * (or to SHARED_FOLDERS) before it ships.
 */
const MODULE_DEPENDENCIES: Record<string, string[]> = {
  auth: [],
  metrics: ['auth'],
  protection: ['auth'],
  catalog: [...CROSS_CUTTING],
  inventory: ['catalog', 'flags', 'integrations', ...CROSS_CUTTING],
  payments: [...CROSS_CUTTING],
  events: ['flags', ...CROSS_CUTTING],
  reservations: [
    'payments',
    'inventory',
    'catalog',
    'events',
    'notifications',
    'shipping',
    'tax',
    'support',
    'customers', // the verification every vehicle hold needs
    ...CROSS_CUTTING,
  ],
  webhooks: ['payments', ...CROSS_CUTTING],
  health: [...CROSS_CUTTING],
  jobs: [...CROSS_CUTTING],
  demo: ['catalog', 'inventory', ...CROSS_CUTTING],
  audit: [...CROSS_CUTTING], // GET /admin/audit; the log itself is libs/audit
  flags: [...CROSS_CUTTING],
  support: [...CROSS_CUTTING],
  notifications: ['flags', ...CROSS_CUTTING],
  integrations: [...CROSS_CUTTING], // outbound integrations' policies, metrics and admin view
  'object-store': ['integrations', ...CROSS_CUTTING], // wires libs/object-store: OBJECT_STORE is global
  tax: ['integrations', 'flags', ...CROSS_CUTTING],
  shipping: ['flags', 'integrations', ...CROSS_CUTTING],
  // Vehicle rentals (DESIGN.md section 12): unlock through telematics, return with photos, fines.
  rentals: [
    'reservations',
    'payments',
    'inventory',
    'catalog',
    'customers',
    'support',
    'events',
    'notifications',
    'integrations',
    'flags',
    ...CROSS_CUTTING,
  ],
  // Fleet events (DESIGN.md section 12): statuses and maintenance blocks, moving or displacing bookings.
  fleet: ['inventory', 'reservations', 'rentals', 'integrations', ...CROSS_CUTTING],
  customers: ['integrations', ...CROSS_CUTTING], // customer verification (seed 002's Customer Management Service)
  // The admin dashboard's GraphQL API (DESIGN.md section 14): resolvers over the services of the modules it shows.
  'admin-graphql': ['rentals', 'reservations', 'payments', 'support', ...CROSS_CUTTING],
  // The analytics export (DESIGN.md section 13): reservations' keyset query, completed by batched reads of the others.
  analytics: ['reservations', 'inventory', 'catalog', 'events', 'payments', ...CROSS_CUTTING],
};

/** Plumbing with no domain (typed config, the data source): any file of theirs may be imported from anywhere. */
const SHARED_FOLDERS = ['config', 'database'];

/**
 * Files that wire the app together and so may import any module's files: the entry
 * points and root module (src/*.ts), the CLI commands, and the entity list the data
 * source loads.
 */
// The app's wiring: src/*.ts, the CLI, the entity list, and the config slices' assembly
// (src/config/config-slices.ts builds each module's `*.config.ts` from the one validated env).
const COMPOSITION_ROOTS = [
  /^src\/[^/]+\.ts$/,
  /^src\/cli\//,
  /^src\/database\/entities\.ts$/,
  /^src\/config\/config-slices\.ts$/,
];

/**
 * A module's public face, by file name (relative to the module folder): its Nest module
 * (to import it), services, ports, DTOs, types, error vocabulary and decorators.
 */
const PUBLIC_FACE = [/^[^/]+\.(module|service|port|types|errors|decorators)\.ts$/, /^dto\/[^/]+\.dto\.ts$/];

/** Beyond the patterns, the few files a module deliberately exports, each for a reason. */
const EXPORTED_FILES: Record<string, string[]> = {
  auth: ['auth-user.ts'], // the signed-in caller every controller and service receives
  catalog: ['pricing.ts', 'rental-policy.ts'], // the pure pricing rules the hold statement applies and reservations store; a vehicle's rental policy and period
  metrics: ['metrics.registry.ts'], // the registry every module registers its own metrics in
  payments: ['payment-status.ts'], // payment statuses and summaries, for reservation views
  reservations: ['reservation-queries.ts'], // the read side (pages of reservations with their money), for the admin GraphQL API
};

/**
 * Known, named departures still to be routed through a public face (importing file:
 * imported files). Keep it short and shrinking; an entry that no longer applies fails.
 */
const KNOWN_SEAM_EXCEPTIONS: Record<string, string[]> = {};

/**
 * Why an import from `rel` (a non-spec file under src/) of `target` (a file under src/)
 * crosses a seam it may not, or null when it may.
 */
function seamViolation(rel: string, target: string): string | null {
  if (COMPOSITION_ROOTS.some((root) => root.test(rel))) return null;
  const [, from] = rel.split('/');
  const [, to, ...rest] = target.split('/');
  if (rest.length === 0) return `imports ${target}, the app's wiring`;
  if (to === from || SHARED_FOLDERS.includes(to)) return null;
  if (!(to in MODULE_DEPENDENCIES)) return `imports ${target} of an unknown folder`;
  if (!MODULE_DEPENDENCIES[from]?.includes(to)) return `${from} must not depend on ${to}`;
  const inModule = rest.join('/');
  if (PUBLIC_FACE.some((face) => face.test(inModule)) || EXPORTED_FILES[to]?.includes(inModule)) return null;
  // An entity may name an entity of a module it depends on, for a foreign key (Relation<>).
  if (rel.endsWith('.entity.ts') && /^[^/]+\.entity\.ts$/.test(inModule)) return null;
  return `reaches into ${target}; use ${to}'s service, port, DTO or types`;
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
    // Which src/ module may import from which: MODULE_DEPENDENCIES below.
    const allowed = MODULE_DEPENDENCIES;
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

  it('knows every folder under src/ as a module, shared plumbing or the CLI', () => {
    const folders = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory());
    const unknown = folders.filter((name) => !(name in MODULE_DEPENDENCIES) && !SHARED_FOLDERS.includes(name) && name !== 'cli');
    expect(unknown).toEqual([]);
    // Cross-cutting modules use no domain module, so every module may use them without a cycle.
    const reachingOut = CROSS_CUTTING.flatMap((name) =>
      MODULE_DEPENDENCIES[name].filter((to) => !CROSS_CUTTING.includes(to)).map((to) => `${name} -> ${to}`),
    );
    expect(reachingOut).toEqual([]);
  });

  it("imports another module's files only through its public face (service, port, DTO, module, types), import type included", () => {
    const found: Record<string, string[]> = {};
    const problems: string[] = [];
    const files = sourceFiles(join(ROOT, 'src')).filter((file) => !/\.(spec|e2e-spec)\.ts$/.test(file));
    for (const file of files) {
      const rel = relative(ROOT, file);
      for (const { target } of importsOf(ROOT, file)) {
        if (!target?.startsWith('src/')) continue;
        const why = seamViolation(rel, target);
        if (!why) continue;
        (found[rel] ??= []).push(target);
        if (!KNOWN_SEAM_EXCEPTIONS[rel]?.includes(target)) problems.push(`${rel}: ${why}`);
      }
    }
    const stale = Object.entries(KNOWN_SEAM_EXCEPTIONS).flatMap(([rel, targets]) =>
      targets
        .filter((target) => !found[rel]?.includes(target))
        .map((target) => `${rel}: ${target} is no longer imported; drop the exception`),
    );
    expect(files.length).toBeGreaterThan(50);
    expect([...problems, ...stale]).toEqual([]);
  });

  it('checks the seam rule itself: internals, type imports and wrong directions fail; public faces pass', () => {
    expect(seamViolation('src/reservations/hold-lines.ts', 'src/catalog/offering.entity.ts')).toMatch(/reaches into/);
    expect(seamViolation('src/reservations/x.ts', 'src/payments/payments.repository.ts')).toMatch(/reaches into/);
    expect(seamViolation('src/reservations/x.ts', 'src/payments/stripe.gateway.ts')).toMatch(/reaches into/);
    expect(seamViolation('src/catalog/x.ts', 'src/reservations/reservations.service.ts')).toMatch(/must not depend/);
    expect(seamViolation('src/metrics/x.ts', 'src/payments/payments.service.ts')).toMatch(/must not depend/);
    expect(seamViolation('src/payments/x.ts', 'src/protection/rate-limiter.ts')).toMatch(/reaches into/);
    expect(seamViolation('src/payments/x.ts', 'src/swagger.ts')).toMatch(/wiring/);
    expect(seamViolation('src/reservations/x.ts', 'src/payments/payments.service.ts')).toBeNull();
    expect(seamViolation('src/reservations/x.ts', 'src/payments/booking-payment-outcomes.port.ts')).toBeNull();
    expect(seamViolation('src/reservations/dto/x.dto.ts', 'src/payments/dto/refund.dto.ts')).toBeNull();
    expect(seamViolation('src/reservations/x.ts', 'src/inventory/inventory.types.ts')).toBeNull();
    expect(seamViolation('src/reservations/x.entity.ts', 'src/catalog/offering.entity.ts')).toBeNull();
    expect(seamViolation('src/payments/x.ts', 'src/config/app-config.ts')).toBeNull();
    expect(seamViolation('src/cli/x.ts', 'src/reservations/hold-expiry.job.ts')).toBeNull();
    // The parser sees type-only imports, re-exports and import() types as imports too.
    const targets = importsOf(ROOT, join(ROOT, 'src/reservations/reservation.entity.ts')).map((i) => i.target);
    expect(targets).toContain('src/catalog/pricing.ts'); // an `import type` there
  });

  it('keeps libs/ free of app code (no lib imports from src/) and src/ on their public entries', () => {
    const problems = sourceFiles(join(ROOT, 'libs')).flatMap((file) =>
      importsOf(ROOT, file)
        .filter(({ target }) => target?.startsWith('src/'))
        .map(({ specifier }) => `${relative(ROOT, file)}: imports ${specifier}`),
    );
    // src/ reaches a lib through its alias (@holdfast/errors), i.e. its index.ts, never its files.
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const { specifier, target } of importsOf(ROOT, file)) {
        if (target?.startsWith('libs/') && !specifier.startsWith('@holdfast/'))
          problems.push(`${relative(ROOT, file)}: imports ${specifier}; use the lib's alias`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps every controller in the OpenAPI document except the named operations endpoints', () => {
    // GET /metrics is for a scraper with its own bearer token (docs/operations.md), not for the app.
    const operationsEndpoints = ['MetricsController'];
    const excluded = t.app
      .get(DiscoveryService)
      .getControllers()
      .filter((wrapper) => wrapper.metatype && Reflect.getMetadata('swagger/apiExcludeController', wrapper.metatype))
      .map((wrapper) => wrapper.metatype!.name)
      .sort();
    expect(excluded).toEqual(operationsEndpoints);
  });

  it("keeps each module's SQL to its own tables (others are reached through their services)", () => {
    // Which module owns each table: only its code may name the table in SQL.
    const owner: Record<string, string> = {
      offerings: 'src/catalog',
      time_slots: 'src/inventory',
      stock_items: 'src/inventory',
      rental_units: 'src/inventory',
      allocations: 'src/inventory',
      external_allocations: 'src/inventory',
      reservations: 'src/reservations',
      reservation_items: 'src/reservations',
      payments: 'src/payments',
      refunds: 'src/payments',
      payment_customers: 'src/payments',
      saved_payment_methods: 'src/payments',
      payment_setups: 'src/payments',
      webhook_events: 'src/webhooks',
      outbox_events: 'src/events',
      idempotency_keys: 'libs/idempotency',
      audit_log: 'libs/audit',
      feature_flags: 'src/flags',
      support_cases: 'src/support',
      rentals: 'src/rentals',
      rental_fines: 'src/rentals',
      notifications: 'src/notifications',
      dev_emails: 'src/notifications',
      tax_rates: 'src/tax',
      shipping_rates: 'src/shipping',
      customer_verifications: 'src/customers',
      fleet_events: 'src/fleet',
      fleet_watermarks: 'src/fleet',
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
      named
        .filter((table) => !found[rel]?.includes(table))
        .map((table) => `${rel}: ${table} is no longer named; drop the exception`),
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

  it('gives modules their config slice: only bootstrapping code names AppConfig', () => {
    // docs/development.md, "Configuration": a module injects its `*.config.ts` slice; the
    // flat AppConfig is for main.ts, app.setup.ts, app.module.ts, src/config and src/cli.
    // A slice file builds itself from AppConfig, so it may name it, in a type import only.
    const bootstrapping = /^src\/(config\/|cli\/|main\.ts$|app\.setup\.ts$|app\.module\.ts$)/;
    const problems: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file);
      const text = readFileSync(file, 'utf8');
      if (bootstrapping.test(rel) || !/\bAppConfig\b/.test(text)) continue;
      const slice = rel.endsWith('.config.ts') && !/^import (?!type )[^;]*\bAppConfig\b/ms.test(text);
      if (!slice) problems.push(`${rel}: names AppConfig; inject the module's config slice instead`);
    }
    expect(problems).toEqual([]);
  });
});
