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
